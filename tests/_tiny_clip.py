"""Tiny open_clip models for tests: a model config and a checkpoint written
to local files and loaded through the same ``pretrained=<file>`` path real
users take with 'openai'. Import as ``from _tiny_clip import ...`` (tests/ is
on the pytest pythonpath)."""
import json
import os

import torch

from mmlgd.testing.tiny_clip import (  # noqa: F401  one home, re-exported
    TINY_CLIP,
    TINY_CLIP_CFG,
    tiny_teacher,
    tiny_text_encoder,
    write_tiny_clip,
)

# OpenAI-format checkpoints (clip.model.CLIP, the code the LGD authors
# vendored) and the open_clip configs of the same architectures: the plain
# name builds nn.GELU (like open_clip's 'RN50'), the '-quickgelu' name
# QuickGELU (like 'RN50-quickgelu').
_TEXT = dict(context_length=77, vocab_size=49408, width=64, heads=1,
             layers=2)
OPENAI_TINY = {
    'mmlgd-oai-rn': dict(embed_dim=32, text_cfg=_TEXT, vision_cfg=dict(
        image_size=64, layers=[1, 1, 1, 1], width=8, patch_size=None)),
    'mmlgd-oai-vit': dict(embed_dim=32, text_cfg=_TEXT, vision_cfg=dict(
        image_size=32, layers=2, width=64, patch_size=16)),
}


def openai_clip_state_dict(open_clip_cfg, seed=0, noise=0.02):
    """A random OpenAI-format state dict from OpenAI's own ``clip.model.CLIP``
    for the architecture of an open_clip config dict (OpenAI's
    initialisation, plus ``noise`` on every float so that zero-inited BN
    weights and default BN statistics take part), stored in fp16 as
    OpenAI's released checkpoints are."""
    from clip.model import CLIP
    vision, text = open_clip_cfg['vision_cfg'], open_clip_cfg['text_cfg']
    layers = vision['layers']
    torch.manual_seed(seed)
    model = CLIP(
        embed_dim=open_clip_cfg['embed_dim'],
        image_resolution=vision['image_size'],
        vision_layers=tuple(layers) if isinstance(layers, list) else layers,
        vision_width=vision['width'],
        vision_patch_size=vision.get('patch_size'),
        context_length=text['context_length'],
        vocab_size=text['vocab_size'], transformer_width=text['width'],
        transformer_heads=text['heads'], transformer_layers=text['layers'])
    state = {}
    for key, value in model.state_dict().items():
        if value.is_floating_point():
            value = (value + noise * torch.randn_like(value)).half()
        state[key] = value
    return state


def write_openai_clip(root, name='mmlgd-oai-rn', seed=0):
    """Write a random OpenAI-format checkpoint (plain state dict) of the
    tiny architecture ``name`` and the open_clip configs ``<name>.json``
    (GELU) and ``<name>-quickgelu.json``; register both.

    Returns:
        dict: ``weights``, ``config``, ``config_quickgelu`` paths.
    """
    import open_clip
    os.makedirs(root, exist_ok=True)
    cfg = OPENAI_TINY[name]
    out = dict(weights=os.path.join(root, f'{name}-openai-seed{seed}.pt'))
    for suffix, extra in (('', {}), ('-quickgelu', dict(quick_gelu=True))):
        path = os.path.join(root, f'{name}{suffix}.json')
        with open(path, 'w') as f:
            json.dump(dict(cfg, **extra), f)
        open_clip.add_model_config(path)
        out['config' + suffix.replace('-', '_')] = path
    torch.save(openai_clip_state_dict(cfg, seed), out['weights'])
    return out


def serve_from_hf_cache(cache_dir, hf_hub, weights):
    """Put ``weights`` where ``huggingface_hub`` (offline) finds the file of
    an open_clip tag with this ``hf_hub`` (``'org/name/'`` or
    ``'org/name/file'``), so that the tag resolves to it with
    ``cache_dir=cache_dir`` and no network."""
    model_id, filename = os.path.split(hf_hub)
    repo = os.path.join(cache_dir, 'models--' + model_id.replace('/', '--'))
    commit = '0' * 40
    snapshot = os.path.join(repo, 'snapshots', commit)
    os.makedirs(snapshot, exist_ok=True)
    os.makedirs(os.path.join(repo, 'refs'), exist_ok=True)
    with open(os.path.join(repo, 'refs', 'main'), 'w') as f:
        f.write(commit)
    target = os.path.join(snapshot, filename or 'open_clip_pytorch_model.bin')
    if not os.path.exists(target):
        os.symlink(os.path.abspath(weights), target)
