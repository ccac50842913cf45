"""A tiny open_clip model (ResNet tower of width 8, 32 px, 32-d embeddings)
written to local files and loaded through the same ``pretrained=<file>``
path users take with ``'openai'``: the stand-in teacher and text tower of
every shrunk config. Nothing is downloaded."""
import json
import os
from typing import Tuple

import torch

TINY_CLIP = 'mmlgd-tiny-rn'
TINY_CLIP_CFG = dict(
    embed_dim=32,
    vision_cfg=dict(image_size=32, layers=[1, 1, 1, 1], width=8,
                    patch_size=None),
    text_cfg=dict(context_length=77, vocab_size=49408, width=32, heads=2,
                  layers=1),
    quick_gelu=True)


def write_tiny_clip(root: str, name: str = TINY_CLIP,
                    cfg: dict = TINY_CLIP_CFG,
                    seed: int = 0) -> Tuple[str, str]:
    """Write ``<name>.json`` (open_clip model config) and the weights of a
    randomly initialised model (seeded) under ``root``; register the config
    with open_clip in this process.

    Args:
        root (str): output folder (created).
        name (str): open_clip model name.
        cfg (dict): open_clip model config.
        seed (int): torch seed of the weights.

    Returns:
        tuple[str, str]: (config_path, weights_path).
    """
    import open_clip
    os.makedirs(root, exist_ok=True)
    cfg_path = os.path.join(root, f'{name}.json')
    with open(cfg_path, 'w') as f:
        json.dump(cfg, f)
    open_clip.add_model_config(cfg_path)
    weights = os.path.join(root, f'{name}-seed{seed}.pt')
    if not os.path.isfile(weights):
        torch.manual_seed(seed)
        model = open_clip.create_model(name)
        tmp = f'{weights}.{os.getpid()}.tmp'
        torch.save(model.state_dict(), tmp)
        os.replace(tmp, weights)
    return cfg_path, weights


def tiny_text_encoder(tiny_clip: Tuple[str, str, str]) -> dict:
    """OpenCLIPTextEncoder config for ``(name, config_path, weights)``."""
    name, cfg_path, weights = tiny_clip
    return dict(type='OpenCLIPTextEncoder', model_name=name,
                pretrained=weights, model_config=cfg_path)


def tiny_teacher(tiny_clip: Tuple[str, str, str], **kwargs) -> dict:
    """OpenCLIPVisionTeacher config for ``(name, config_path, weights)``;
    ``kwargs`` (e.g. ``channels_last``) are passed on."""
    name, cfg_path, weights = tiny_clip
    return dict(type='OpenCLIPVisionTeacher', model_name=name,
                pretrained=weights, model_config=cfg_path, **kwargs)
