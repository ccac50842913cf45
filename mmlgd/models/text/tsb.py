"""The Textual Semantics Bank (TSB): one text embedding per category."""
import hashlib
import json
import os
import os.path as osp
from typing import Callable, Optional, Sequence, Union

import torch
from mmengine.logging import print_log
from mmpretrain.registry import MODELS
from torch import nn

from .category_sets import (
    CATEGORY_SETS,
    ClassSpec,
    TemplateSpec,
    render_templates,
    resolve_classes,
    resolve_templates,
)

DEFAULT_CACHE_DIR = osp.join('~', '.cache', 'mmlgd', 'tsb')
_LOG_NAMES = 50  # category names the build log shows


def describe_class_spec(spec: ClassSpec) -> str:
    """Where a spec's names come from, for logs: ``category set 'coco'``,
    ``names file 'a/b.txt'``, ``a list of names`` (a config's
    ``classes`` or a caller's, e.g. ``--classes a,b,c``) or a union of
    these."""
    if isinstance(spec, str):
        return (f'category set {spec!r}' if spec in CATEGORY_SETS
                else f'names file {spec!r}')
    spec = list(spec)
    if spec and all(isinstance(s, str) and (s in CATEGORY_SETS
                                            or osp.isfile(s)) for s in spec):
        return 'union of ' + ' + '.join(describe_class_spec(s) for s in spec)
    return 'a list of names'


def tsb_key(identity: str, classes: Sequence[str],
            templates: Sequence[Union[str, Callable[[str], str]]]) -> str:
    """Cache key: sha256 over (encoder identity incl. weights, class names,
    rendered templates). Any change to any of them changes the key.

    Args:
        identity (str): the text encoder's ``identity``.
        classes (Sequence[str]): class names.
        templates (Sequence[str | Callable]): resolved templates.

    Returns:
        str: 24 hex digits.
    """
    blob = json.dumps(
        dict(encoder=identity, classes=list(classes),
             templates=render_templates(templates)),
        sort_keys=True, ensure_ascii=False).encode('utf-8')
    return hashlib.sha256(blob).hexdigest()[:24]


def compute_tsb(encoder: nn.Module, classes: Sequence[str],
                templates: Sequence[Union[str, Callable[[str], str]]],
                use_tqdm: bool = False) -> torch.Tensor:
    """Prompt-ensembled text embeddings (LGD paper, Sec. 3.2; CLIP's
    zero-shot recipe) through ``open_clip.build_zero_shot_classifier``:
    for each class, encode every template's prompt, L2-normalise, average,
    L2-normalise again.

    Args:
        encoder (nn.Module): a text encoder (``tokenizer``, ``encode_text``
            and ``forward(text)``, the protocols open_clip calls).
        classes (Sequence[str]): K class names.
        templates (Sequence[str | Callable]): T templates.
        use_tqdm (bool): progress bar.

    Returns:
        Tensor: (K, D) float32, unit rows.
    """
    from open_clip import build_zero_shot_classifier
    weights = build_zero_shot_classifier(
        encoder, encoder.tokenizer, classes, templates,
        num_classes_per_batch=max(1, 256 // len(templates)),
        device='cpu', use_tqdm=use_tqdm)
    return weights.T.contiguous().float()


@MODELS.register_module()
class TextualSemanticsBank(nn.Module):
    """Fixed (K, D) bank of category text embeddings, L in the paper.

    Built once at construction, from the on-disk cache when an entry with
    the same key exists (see :func:`tsb_key`), else by running the text
    encoder (which then is loaded lazily) and writing the cache atomically.
    The bank is a non-persistent buffer: checkpoints do not carry it; it is
    a function of the config.

    Args:
        encoder (dict | nn.Module): text encoder config, e.g.
            ``dict(type='OpenCLIPTextEncoder', model_name='RN50-quickgelu',
            pretrained='openai')`` or
            ``dict(type='SentenceTransformerTextEncoder')``.
        classes (ClassSpec): category spec (:func:`resolve_classes`).
        templates (TemplateSpec): template spec (:func:`resolve_templates`);
            the paper uses ``'openai'`` (80 templates).
        cache_dir (str, optional): where TSB files live
            (default ``~/.cache/mmlgd/tsb``); ``None`` disables caching.
        use_tqdm (bool): progress bar while encoding.

    Attributes:
        weight (Tensor): (K, D) unit rows.
        classes (list[str]): the K class names (logged when built, with
            their source: ``classes_source``, e.g. ``names file 'x.txt'``).
        key (str): the cache key (:func:`tsb_key`).

    Raises:
        ValueError: empty or duplicate class names, bad templates.
    """

    def __init__(self, encoder: Union[dict, nn.Module], classes: ClassSpec,
                 templates: TemplateSpec = 'openai',
                 cache_dir: Optional[str] = DEFAULT_CACHE_DIR,
                 use_tqdm: bool = False):
        super().__init__()
        self.classes = resolve_classes(classes)
        self.classes_source = describe_class_spec(classes)
        shown = ', '.join(self.classes[:_LOG_NAMES]) + (
            f', ... (+{len(self.classes) - _LOG_NAMES} more)'
            if len(self.classes) > _LOG_NAMES else '')
        print_log(f'TSB categories (K={len(self.classes)}, row order) from '
                  f'{self.classes_source}: {shown}', logger='current')
        templates = resolve_templates(templates)
        if isinstance(encoder, dict):
            encoder = MODELS.build(encoder)
        self.encoder_identity = encoder.identity
        self.key = tsb_key(encoder.identity, self.classes, templates)
        weight = None
        path = None
        if cache_dir is not None:
            path = osp.join(osp.expanduser(cache_dir), f'tsb-{self.key}.pt')
            weight = self._read_cache(path)
        if weight is None:
            weight = compute_tsb(encoder, self.classes, templates, use_tqdm)
            if path is not None:
                self._write_cache(path, weight, encoder.identity, templates)
        self.cache_path = path
        self.register_buffer('weight', weight, persistent=False)

    @property
    def num_classes(self) -> int:
        """K."""
        return self.weight.shape[0]

    @property
    def dim(self) -> int:
        """D."""
        return self.weight.shape[1]

    def _read_cache(self, path: str) -> Optional[torch.Tensor]:
        if not osp.isfile(path):
            return None
        try:
            entry = torch.load(path, map_location='cpu', weights_only=True)
            ok = (entry.get('key') == self.key
                  and entry.get('classes') == self.classes
                  and entry['tsb'].shape[0] == len(self.classes))
        except Exception as err:  # noqa: BLE001 - a bad cache is rebuilt
            print_log(f'TSB cache {path} unreadable ({err}); rebuilding.',
                      logger='current')
            return None
        if not ok:
            print_log(f'TSB cache {path} does not match its key; '
                      'rebuilding.', logger='current')
            return None
        print_log(f'TSB {tuple(entry["tsb"].shape)} loaded from cache {path}',
                  logger='current')
        return entry['tsb'].float()

    def _write_cache(self, path: str, weight: torch.Tensor, identity: str,
                     templates: Sequence) -> None:
        from mmlgd.utils.fileio import atomic_open
        os.makedirs(osp.dirname(path), exist_ok=True)
        entry = dict(key=self.key, tsb=weight, classes=self.classes,
                     encoder=identity,
                     templates=render_templates(templates))
        with atomic_open(path, 'wb', force=True) as f:
            torch.save(entry, f)
        print_log(f'TSB {tuple(weight.shape)} written to cache {path}',
                  logger='current')

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Cosine similarities: (B, D) unit rows -> (B, K) = z L^T."""
        return z @ self.weight.to(z.dtype).T
