"""Precompute (and cache) the Textual Semantics Bank of a config.

    python tools/build_tsb.py CONFIG [--cfg-options k=v ...]

Builds ``model.tsb`` (or ``model.head.tsb`` for a text-aligned classifier)
exactly as training will, so the run starts from the cache. Prints the TSB
shape, its cache key and file.
"""
import argparse

from mmengine.config import DictAction


def find_tsb_cfg(model_cfg):
    """The TSB config dict inside a model config (``model.tsb`` or
    ``model.head.tsb``).

    Raises:
        KeyError: the config has no TSB.
    """
    for path in (('tsb', ), ('head', 'tsb')):
        node = model_cfg
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return node
    raise KeyError('This config has no model.tsb or model.head.tsb.')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)

    from mmpretrain.registry import MODELS

    from .runner_setup import load_config
    cfg = load_config(args.config, args.cfg_options)
    import mmlgd  # noqa: F401
    tsb_cfg = dict(find_tsb_cfg(cfg.model))
    tsb_cfg['use_tqdm'] = True
    try:
        tsb = MODELS.build(tsb_cfg)
    except (RuntimeError, ValueError, FileNotFoundError) as err:
        # the encoders' errors say what to do; no traceback for those
        raise SystemExit(f'build_tsb: {err}') from None
    print(f'TSB shape: {tuple(tsb.weight.shape)} (K classes x D dims)')
    print(f'key: {tsb.key}')
    print(f'encoder: {tsb.encoder_identity}')
    print(f'cache: {tsb.cache_path}')
    return tsb

