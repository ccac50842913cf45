"""The open_clip loader of both towers (the image teacher
:class:`OpenCLIPVisionTeacher` and the text encoder
:class:`OpenCLIPTextEncoder`): which activation the weights need
(QuickGELU), local weights vs hub tags, custom model configs, and clear
errors for offline machines, TorchScript archives and mismatched
checkpoints.

The QuickGELU rule: OpenAI's CLIP weights (and open_clip's other
``quick_gelu`` tags) were trained with QuickGELU, ``x * sigmoid(1.702 x)``;
open_clip's plain architecture names (``'RN50'``, ``'ViT-B-32'``) build
``nn.GELU``. The activation is picked as follows:

* ``quick_gelu`` given (True/False): that, as the user says. For a hub tag it
  must agree with the tag's metadata (ValueError otherwise).
* hub tag (``pretrained='openai'``): open_clip's own metadata for the tag
  (``open_clip.get_pretrained_cfg(model_name, tag)['quick_gelu']``), so
  ``model_name='RN50', pretrained='openai'`` builds the QuickGELU model.
* local file: the model name says it (``'RN50-quickgelu'`` builds QuickGELU,
  ``'RN50'`` GELU). A local file with a plain name of an architecture for
  which open_clip has an ``'openai'`` tag is ambiguous and raises a
  :class:`QuickGELUWarning` (logged too) that names the fix: use the
  ``-quickgelu`` name for OpenAI weights, or ``quick_gelu=False`` to confirm
  GELU-trained weights (open_clip's own trainer with ``--model RN50``).
"""
import logging
import os
import os.path as osp
import warnings
import zipfile
from typing import Optional

from torch import nn

from mmlgd.utils.hashing import file_sha256

WEIGHT_SUFFIXES = ('.pt', '.pth', '.bin', '.safetensors', '.npz')


class QuickGELUWarning(UserWarning):
    """A local checkpoint may be loaded with the wrong activation."""


def register_open_clip_config(model_config: Optional[str]) -> str:
    """Register an open_clip model-config JSON (custom architectures) and
    return its sha256 ('' when ``model_config`` is None).

    Args:
        model_config (str, optional): path of the JSON file.

    Raises:
        FileNotFoundError: the JSON file does not exist.
    """
    if model_config is None:
        return ''
    if not os.path.isfile(model_config):
        raise FileNotFoundError(
            f'open_clip model config {model_config!r} does not exist.')
    import open_clip
    open_clip.add_model_config(model_config)
    return file_sha256(model_config)


def looks_like_path(pretrained: Optional[str]) -> bool:
    """Whether ``pretrained`` names a file rather than a hub tag: it holds a
    path separator or ends in a weights suffix (``.pt``, ``.pth``, ``.bin``,
    ``.safetensors``, ``.npz``)."""
    return bool(pretrained) and (
        '/' in pretrained or osp.sep in pretrained
        or pretrained.endswith(WEIGHT_SUFFIXES))


def is_local_weights(pretrained: Optional[str], what: str) -> bool:
    """Whether ``pretrained`` is a local weights file (True) rather than a
    hub tag or empty (False); a name that looks like a path
    (:func:`looks_like_path`) must exist.

    Args:
        pretrained (str, optional): hub tag, file path, or empty for random
            weights.
        what (str): what the file is, for the message (e.g.
            ``'Teacher checkpoint'``).

    Raises:
        FileNotFoundError: ``pretrained`` looks like a path but no such file
            exists.
    """
    is_path = looks_like_path(pretrained)
    if is_path and not osp.isfile(pretrained):
        raise FileNotFoundError(
            f'{what} {pretrained!r} does not exist: fix the path or use a '
            "hub tag such as pretrained='openai'.")
    return is_path


def _quickgelu_args(model_name: str) -> str:
    """The arguments that build ``model_name``'s architecture with
    QuickGELU, as the user would write them."""
    import open_clip
    if (open_clip.get_model_config(model_name) or {}).get('quick_gelu'):
        return f'model_name={model_name!r}'
    name = f'{model_name}-quickgelu'
    if open_clip.get_model_config(name) is not None:
        return f'model_name={name!r}'
    return f'model_name={model_name!r}, quick_gelu=True'


def resolve_quick_gelu(model_name: str, pretrained: Optional[str],
                       quick_gelu: Optional[bool] = None) -> Optional[bool]:
    """The activation the weights need (see the module docstring's rule).

    Args:
        model_name (str): open_clip model name.
        pretrained (str, optional): hub tag, local file, or empty (random).
        quick_gelu (bool, optional): the user's word; None decides from the
            tag's metadata or the model name.

    Returns:
        bool | None: True for QuickGELU, False for GELU, None when open_clip
        has no config for ``model_name`` (``hf-hub:``/``local-dir:`` names
        carry their own).

    Raises:
        ValueError: ``quick_gelu`` contradicts the hub tag's metadata.

    Warns:
        QuickGELUWarning: a local file with a plain name of an architecture
            that has an ``'openai'`` tag, and ``quick_gelu`` not given.
    """
    import open_clip
    cfg = open_clip.get_model_config(model_name)
    if cfg is None:
        return quick_gelu
    from_name = bool(cfg.get('quick_gelu', False))
    tag_cfg = ({} if not pretrained or looks_like_path(pretrained) else
               open_clip.get_pretrained_cfg(model_name, pretrained))
    if tag_cfg:
        from_tag = bool(tag_cfg.get('quick_gelu', False))
        if quick_gelu is not None and quick_gelu != from_tag:
            raise ValueError(
                f'quick_gelu={quick_gelu} contradicts open_clip\'s metadata '
                f'for {model_name!r} / {pretrained!r} (trained with '
                f'{"QuickGELU" if from_tag else "GELU"}): drop quick_gelu.')
        return from_tag
    if quick_gelu is not None:
        return quick_gelu
    if (looks_like_path(pretrained) and not from_name
            and 'openai' in open_clip.list_pretrained_tags_by_model(
                model_name)):
        from mmengine.logging import print_log
        msg = (
            f'QuickGELU: loading the local file {pretrained!r} into '
            f'{model_name!r}, which uses nn.GELU. OpenAI\'s CLIP weights '
            'were trained with QuickGELU; loaded into GELU they give '
            'embeddings that differ from OpenAI CLIP (wrong TSB, pseudo-'
            'labels and zero-shot numbers). If these are OpenAI\'s weights '
            f'(or any QuickGELU-trained ones), pass '
            f'{_quickgelu_args(model_name)}. If they were trained with '
            'GELU, pass quick_gelu=False to say so.')
        warnings.warn(msg, QuickGELUWarning, stacklevel=3)
        print_log(msg, logger='current', level=logging.WARNING)
    return from_name


def _is_torchscript(path: str) -> bool:
    """A TorchScript archive (OpenAI's original ``RN50.pt`` downloads)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith('/constants.pkl')
                   for name in archive.namelist())


def create_open_clip(model_name: str, pretrained: Optional[str],
                     quick_gelu: Optional[bool],
                     cache_dir: Optional[str] = None) -> nn.Module:
    """``open_clip.create_model`` with the resolved activation and clear
    errors.

    Args:
        model_name (str): open_clip model name.
        pretrained (str, optional): hub tag, existing local file, or empty
            (random weights).
        quick_gelu (bool, optional): from :func:`resolve_quick_gelu`.
        cache_dir (str, optional): open_clip's download cache.

    Returns:
        nn.Module: the open_clip model (fp32, CPU, train mode as built).

    Raises:
        ValueError: ``pretrained`` is neither a file nor a tag of
            ``model_name``, or is a TorchScript archive (the message says
            how to convert it).
        RuntimeError: the tag's weights cannot be downloaded (the message
            says how to use a local copy on an offline machine), or the
            checkpoint does not fit ``model_name`` (the message names
            both).
    """
    import open_clip
    kwargs = {}
    if quick_gelu:
        kwargs['force_quick_gelu'] = True
    elif quick_gelu is False and (open_clip.get_model_config(
            model_name) or {}).get('quick_gelu', False):
        kwargs['quick_gelu'] = False
    is_path = looks_like_path(pretrained)
    if pretrained and not is_path and \
            open_clip.get_model_config(model_name) is not None:
        tag_cfg = open_clip.get_pretrained_cfg(model_name, pretrained)
        if not tag_cfg:
            raise ValueError(
                f'pretrained={pretrained!r} is neither a file nor an '
                f'open_clip tag of {model_name!r}; its tags: '
                f'{open_clip.list_pretrained_tags_by_model(model_name)}.')
        try:
            open_clip.download_pretrained(tag_cfg, cache_dir=cache_dir)
        except Exception as err:  # noqa: BLE001 - any download failure
            args = (_quickgelu_args(model_name) if quick_gelu
                    else f'model_name={model_name!r}')
            raise RuntimeError(
                f'Could not get the weights of open_clip tag {pretrained!r} '
                f'for {model_name!r} ({type(err).__name__}: '
                f'{str(err)[:200]}). If this machine is offline, download '
                'them once on a machine with internet, e.g. python -c '
                '"import open_clip; print(open_clip.download_pretrained('
                f'open_clip.get_pretrained_cfg({model_name!r}, '
                f'{pretrained!r}), cache_dir=\'clip_weights\'))", copy the '
                'printed file here and pass pretrained=\'/path/to/that/'
                f'file\' with {args}'
                + (' (these weights were trained with QuickGELU)'
                   if quick_gelu else '') + '; for an LGD config: '
                '--cfg-options model.target_generator.pretrained=/path/file '
                'model.tsb.encoder.pretrained=/path/file.') from err
    if is_path and _is_torchscript(pretrained):
        raise ValueError(
            f'{pretrained!r} is a TorchScript archive (OpenAI\'s original '
            'download, e.g. RN50.pt), which open_clip does not load with '
            'weights_only=True. Convert it once to a plain state dict: '
            'python -c "import torch; sd = torch.jit.load(\'IN.pt\', '
            "map_location='cpu').state_dict(); [sd.pop(k, None) for k in "
            "('input_resolution', 'context_length', 'vocab_size')]; "
            'torch.save(sd, \'OUT.pt\')" and pass pretrained=\'OUT.pt\' '
            f'with {_quickgelu_args(model_name)} (OpenAI\'s weights were '
            'trained with QuickGELU).')
    try:
        return open_clip.create_model(model_name, pretrained=pretrained or
                                      None, cache_dir=cache_dir, **kwargs)
    except (RuntimeError, AssertionError) as err:
        # load_state_dict raises RuntimeError (missing keys, size
        # mismatch); open_clip's own positional-embedding resize asserts
        # on another text width ('text pos_embed width changed!')
        raise RuntimeError(
            f'Checkpoint {pretrained!r} does not match open_clip '
            f'architecture {model_name!r} ({str(err)[:300]}...). Use the '
            'model_name the weights were trained with.') from err
