"""Tiny open_clip models for tests: a model config and a checkpoint written
to local files and loaded through the same ``pretrained=<file>`` path real
users take with 'openai'. Import as ``from tiny_clip import ...`` (tests/ is
on the pytest pythonpath)."""
import json
import os

import torch

TINY_CLIP = 'mmlgd-tiny-rn'
TINY_CLIP_CFG = dict(
    embed_dim=32,
    vision_cfg=dict(image_size=32, layers=[1, 1, 1, 1], width=8,
                    patch_size=None),
    text_cfg=dict(context_length=77, vocab_size=49408, width=32, heads=2,
                  layers=1),
    quick_gelu=True)


def write_tiny_clip(root, name=TINY_CLIP, cfg=TINY_CLIP_CFG, seed=0):
    """Write ``<name>.json`` (open_clip model config) and a checkpoint of a
    randomly initialised model; return (config_path, weights_path)."""
    import open_clip
    os.makedirs(root, exist_ok=True)
    cfg_path = os.path.join(root, f'{name}.json')
    with open(cfg_path, 'w') as f:
        json.dump(cfg, f)
    open_clip.add_model_config(cfg_path)
    torch.manual_seed(seed)
    model = open_clip.create_model(name)
    weights = os.path.join(root, f'{name}-seed{seed}.pt')
    torch.save(model.state_dict(), weights)
    return cfg_path, weights


def tiny_text_encoder(tiny_clip):
    """OpenCLIPTextEncoder config for the ``tiny_clip`` fixture's model."""
    name, cfg_path, weights = tiny_clip
    return dict(type='OpenCLIPTextEncoder', model_name=name,
                pretrained=weights, model_config=cfg_path)


def tiny_teacher(tiny_clip, **kwargs):
    """OpenCLIPVisionTeacher config for the ``tiny_clip`` fixture's model."""
    name, cfg_path, weights = tiny_clip
    return dict(type='OpenCLIPVisionTeacher', model_name=name,
                pretrained=weights, model_config=cfg_path, **kwargs)
