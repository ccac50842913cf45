"""The zero-shot student of an LGD run, for inference and export.

One place turns "a run" — an LGD pre-training checkpoint (its config is
stored in the checkpoint's ``meta['cfg']``), or a config plus a checkpoint —
into an evaluation-mode :class:`mmlgd.models.ZeroShotClassifier`, the same
module ``tools/test.py`` uses for zero-shot evaluation, so deployment and
evaluation share one zero-shot code path (LGD paper, Sec. 4:
``logits = 100 * z_S L^T``).
"""
import copy
import os.path as osp
from typing import Dict, Optional, Tuple, Union

import torch
from mmengine.config import Config

from mmlgd.models.text import resolve_classes

from .preprocess import (  # noqa: F401  re-exported (old import path)
    image_size,
    inference_pipeline,
    walk,
)

StateDict = Dict[str, torch.Tensor]
PROJECTOR_OUT = 'neck.projector.2.weight'  # (D, h): D = embedding dim
VSB = 'neck.vsb'  # (K_train, D)


def load_run(config_or_checkpoint: str, checkpoint: Optional[str] = None
             ) -> Tuple[Config, Optional[StateDict], dict]:
    """Read a run: its config and (if any) its weights.

    Args:
        config_or_checkpoint (str): a ``.py`` config, or a checkpoint written
            by mmengine (its ``meta['cfg']`` holds the run's config).
        checkpoint (str, optional): weights for a ``.py`` config; ``None``
            with a config builds the model without weights (e.g. a teacher).

    Returns:
        tuple: ``(cfg, state_dict or None, meta)``; ``state_dict`` keys have
        any ``module.`` prefix stripped; ``meta`` also records ``path``.

    Raises:
        FileNotFoundError: a file does not exist.
        ValueError: a checkpoint without a stored config and no ``.py``
            config given, or two checkpoints given.
    """
    from mmlgd.checkpoint_compat import safe_torch_load
    for path in (config_or_checkpoint, checkpoint):
        if path is not None and not osp.isfile(path):
            raise FileNotFoundError(f'{path!r} does not exist.')
    is_config = config_or_checkpoint.endswith('.py')
    if not is_config and checkpoint is not None:
        raise ValueError(
            f'Got two checkpoints ({config_or_checkpoint!r} and '
            f'{checkpoint!r}): pass a .py config with a checkpoint, or one '
            'checkpoint alone (its config is read from the file).')
    ckpt_path = checkpoint if is_config else config_or_checkpoint
    ckpt = safe_torch_load(ckpt_path) if ckpt_path else None
    meta = dict((ckpt or {}).get('meta') or {}) if isinstance(
        ckpt, dict) else {}
    meta['path'] = ckpt_path
    if is_config:
        cfg = Config.fromfile(config_or_checkpoint)
    else:
        text = meta.get('cfg') or (meta.get('source_meta') or {}).get('cfg')
        if not isinstance(text, str):
            raise ValueError(
                f'{ckpt_path!r} stores no config (meta["cfg"]): pass the '
                'run\'s .py config first and the checkpoint with '
                '--checkpoint / checkpoint=.')
        cfg = Config.fromstring(text, file_format='.py')
    state = None
    if ckpt is not None:
        raw = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
        state = {k[len('module.'):] if k.startswith('module.') else k: v
                 for k, v in raw.items() if torch.is_tensor(v)}
    return cfg, state, meta


def require_projector(state: Optional[StateDict], meta: dict) -> None:
    """Refuse a backbone-only checkpoint for zero-shot use.

    Raises:
        ValueError: ``state`` has no ``neck.projector.*`` tensors; the message
            says zero-shot needs the projector and names the full LGD
            checkpoint (from ``tools/extract_student.py``'s metadata when
            present).
    """
    if state is None or any(k.startswith('neck.projector.') for k in state):
        return
    source = meta.get('source')
    where = (f'the full LGD checkpoint it was extracted from: {source}'
             if source else 'the full LGD pre-training checkpoint of the run '
             '(work_dirs/<run>/epoch_N.pth or iter_N.pth)')
    nb = sum(k.startswith('backbone.') for k in state)
    heads = sorted({k.split('.')[0] for k in state} - {'backbone', 'neck'})
    if heads:
        raise ValueError(
            f'{meta.get("path")!r} is not an LGD pre-training checkpoint: it '
            f"has {heads} tensors but no 'neck.projector.*' (e.g. a "
            'classifier such as the demo\'s text-aligned teacher, or a '
            'fine-tuned model). Zero-shot classification of a student needs '
            f'the LGD projector: pass {where}.')
    raise ValueError(
        f'{meta.get("path")!r} holds only the student backbone ({nb} '
        "'backbone.*' tensors, no 'neck.projector.*'; e.g. written by "
        'tools/extract_student.py). Zero-shot classification needs the LGD '
        'projector that maps the student\'s features into the TSB\'s text '
        f'space: pass {where}. (A backbone-only file is enough for the '
        'feature-extractor ONNX export, --part backbone.)')


def _for_inference(d: dict) -> None:
    """SyncBN -> BN (single process); drop Pretrained init (the checkpoint
    provides the weights)."""
    if d.get('type') == 'SyncBN':
        d['type'] = 'BN'
    init = d.get('init_cfg')
    if isinstance(init, dict) and init.get('type') == 'Pretrained':
        d['init_cfg'] = None


def _cls_preprocessor(model_cfg: dict, cfg: Config) -> dict:
    pre = model_cfg.get('data_preprocessor') or cfg.get(
        'data_preprocessor') or {}
    keep = {k: pre[k] for k in ('mean', 'std', 'to_rgb') if k in pre}
    return dict(type='ClsDataPreprocessor', **keep)


def zero_shot_model_cfg(cfg: Config, classes=None,
                        templates=None,
                        tsb_cache_dir: Optional[str] = None) -> dict:
    """A :class:`ZeroShotClassifier` config for the run's student.

    Args:
        cfg (Config): an LGD run's config (``model.type='LGD'``) or a
            ``ZeroShotClassifier`` config.
        classes: category spec (list, names file or known set; see
            :func:`mmlgd.models.text.resolve_classes`); ``None``: the run's.
        templates: prompt templates; ``None``: the run's.
        tsb_cache_dir (str, optional): TSB cache folder; ``None``: the run's.

    Returns:
        dict: the model config; the TSB uses the run's own text encoder.

    Raises:
        ValueError: the config's model is neither LGD nor ZeroShotClassifier.
    """
    model = copy.deepcopy(cfg.model.to_dict() if hasattr(cfg.model, 'to_dict')
                          else dict(cfg.model))
    kind = model.get('type')
    if kind == 'LGD':
        model = dict(type='ZeroShotClassifier', backbone=model['backbone'],
                     neck=model['neck'], tsb=model['tsb'],
                     logit_scale=100.0,
                     data_preprocessor=_cls_preprocessor(model, cfg))
    elif kind != 'ZeroShotClassifier':
        raise ValueError(
            f"The run's model is {kind!r}: zero-shot inference needs an LGD "
            'pre-training run (model.type=LGD) or a ZeroShotClassifier '
            'config (configs/benchmarks/zero-shot_*.py).')
    model.pop('init_cfg', None)
    walk(model, _for_inference)
    tsb = dict(model['tsb'], use_tqdm=False)
    if classes is not None:
        tsb['classes'] = classes
    if templates is not None:
        tsb['templates'] = templates
    if tsb_cache_dir is not None:
        tsb['cache_dir'] = tsb_cache_dir
    model['tsb'] = tsb
    return model


def build_zero_shot_classifier(cfg: Config, state: Optional[StateDict],
                               meta: Optional[dict] = None, classes=None,
                               templates=None,
                               tsb_cache_dir: Optional[str] = None,
                               device: Union[str, torch.device] = 'cpu'):
    """Build the run's :class:`ZeroShotClassifier` over ``classes`` and load
    the student (``backbone.*``, ``neck.*``) from ``state``.

    The TSB is built first (through its on-disk cache) and checked against
    the checkpoint's projector; the neck keeps the checkpoint's VSB size so
    the weights load exactly.

    Returns:
        ZeroShotClassifier: in eval mode on ``device``; ``model._config`` is
        ``cfg`` (as mmpretrain's inferencers expect).

    Raises:
        ValueError: empty / duplicate class names; a backbone-only
            checkpoint; the TSB dimension differs from the projector's output
            (the text encoder is not the run's).
        RuntimeError: the checkpoint's student does not fit the config.
    """
    from mmpretrain.registry import MODELS
    meta = meta or {}
    if classes is not None:
        resolve_classes(classes)  # empty / duplicate names: fail before work
    require_projector(state, meta)
    model_cfg = zero_shot_model_cfg(cfg, classes, templates, tsb_cache_dir)
    tsb = MODELS.build(model_cfg.pop('tsb'))
    if state is not None and 'neck' in model_cfg:
        check_tsb_dim(tsb, state, meta)
        if VSB in state:
            model_cfg['neck'] = dict(model_cfg['neck'],
                                     num_classes=state[VSB].shape[0])
    model = MODELS.build(dict(model_cfg, tsb=tsb))
    if state is not None:
        load_student(model, state, meta)
    model._config = cfg
    return model.to(device).eval()


def check_tsb_dim(tsb, state: StateDict, meta: dict) -> None:
    """Raise ValueError when the TSB's dimension is not the projector's."""
    if PROJECTOR_OUT not in state:
        return
    dim = state[PROJECTOR_OUT].shape[0]
    if tsb.dim != dim:
        raise ValueError(
            f'The TSB has dimension {tsb.dim} but the projector of '
            f'{meta.get("path")!r} outputs {dim}-d embeddings: the text '
            f'encoder ({tsb.encoder_identity}) is not the one the student '
            'was distilled against. Use the run\'s own tsb.encoder (leave '
            'the config\'s model.tsb.encoder as trained).')


def load_student(model, state: StateDict, meta: dict) -> None:
    """Load ``backbone.*`` / ``neck.*`` strictly into ``model``."""
    own = model.state_dict()
    wanted = {k: v for k, v in state.items() if k in own}
    try:
        model.load_state_dict(wanted, strict=True)
    except RuntimeError as err:
        raise RuntimeError(
            f'The student in {meta.get("path")!r} does not fit the config\'s '
            f'backbone/neck ({str(err)[:400]}): use the config the checkpoint '
            'was trained with.') from err
