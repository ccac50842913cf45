"""ONNX export of an LGD student, verified with onnxruntime.

Three graphs (``part``):

* ``'backbone'``: the student backbone as a feature extractor,
  ``(B, 3, H, W) -> (B, C)`` global-average-pooled last-stage features
  (output ``features``; what a downstream head or a linear probe
  consumes);
* ``'zero-shot'``: the whole zero-shot classifier, student + LGKA projector
  + the frozen TSB as the last matrix, ``(B, 3, H, W) -> (B, K)`` logits
  ``100 * z_S L^T`` (output ``logits``) — the
  :class:`mmlgd.models.ZeroShotClassifier` that ``tools/test.py``
  evaluates — and the unit embedding ``z_S`` (B, D) (output
  ``embedding``);
* ``'text'``: the run's open_clip text encoder, ``(B, L)`` int64 token ids
  -> ``(B, D)`` unit embeddings (output ``text_embedding``), to build TSB
  rows for new names without PyTorch (:mod:`.text_export`).

Image inputs are normalised images. The file's metadata records the whole
preprocessing that produced them (``preprocess``: resize, crop, channel
order, mean/std; :func:`mmlgd.deployment.preprocess.preprocess_geometry` of
the same transforms ``tools/infer.py`` and ``tools/test.py`` apply) and the
class names. The batch dimension is dynamic. ``onnx``, ``onnxruntime`` and
``onnxscript`` (torch's exporter) are optional requirements
(``requirements/deploy.txt``), imported only here.
"""
import json
import os
import os.path as osp
import tempfile
from typing import Callable, Optional, Sequence, Tuple

import torch
from torch import nn

from ..utils.pretrained_check import strip_prefix
from .builder import build_zero_shot_classifier, load_run, zero_shot_model_cfg
from .preprocess import inference_pipeline, preprocess_geometry
from .text_export import (
    TEXT_OPSET,
    no_text_part,
    text_input_shape,
    text_tower,
)

PARTS = ('backbone', 'zero-shot', 'text')
INSTALL_HINT = ('pip install -r requirements/deploy.txt (onnx, onnxruntime, '
                'onnxscript)')


def require_onnx():
    """Import and return ``(onnx, onnxruntime)``.

    Raises:
        ImportError: a package is missing; the message says how to install.
    """
    try:
        import onnx
        import onnxruntime
        import onnxscript  # noqa: F401  torch.onnx.export's dynamo exporter
    except ImportError as err:
        raise ImportError(
            f'ONNX export needs the optional packages onnx, onnxruntime and '
            f'onnxscript ({err}): {INSTALL_HINT}.') from err
    return onnx, onnxruntime


class PooledBackbone(nn.Module):
    """Backbone -> last stage -> global average pool: (B, C) features."""

    output_names = ('features', )

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.backbone(x)
        feat = feats[-1] if isinstance(feats, (tuple, list)) else feats
        return feat.mean(dim=(2, 3)) if feat.dim() == 4 else feat


class ZeroShotLogits(nn.Module):
    """A :class:`ZeroShotClassifier` as ``x -> (logits, embedding)``.

    The classifier's own ``extract_feat`` (student + projector: unit
    ``z_S``, (B, D)) and ``tsb`` (``z L^T``) scaled by its ``logit_scale``,
    i.e. ``classifier(x, mode='tensor')``, with ``z_S`` also returned (for
    retrieval, and to verify the embedding itself).
    """

    output_names = ('logits', 'embedding')

    def __init__(self, classifier: nn.Module):
        super().__init__()
        self.classifier = classifier

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        z = self.classifier.extract_feat(x)
        return self.classifier.logit_scale * self.classifier.tsb(z), z


def build_backbone(cfg, state) -> nn.Module:
    """The run's student backbone with ``backbone.*`` weights loaded."""
    from mmpretrain.registry import MODELS
    backbone = MODELS.build(zero_shot_model_cfg(cfg)['backbone'])
    if state is not None:
        sub = strip_prefix(state, 'backbone.')
        if not sub:
            raise ValueError("The checkpoint has no 'backbone.*' tensors: "
                             'pass an LGD checkpoint or a '
                             'tools/extract_student.py export.')
        backbone.load_state_dict(sub, strict=True)
    return PooledBackbone(backbone).eval()


def export_module(module: nn.Module, path: str, input_shape: Tuple[int, ...],
                  opset: Optional[int] = None, fp16: bool = False,
                  metadata: Optional[dict] = None,
                  make_input: Optional[Callable] = None) -> int:
    """Export ``module`` (one input ``input``, one output ``output``, dynamic
    batch) to ``path``; return the opset used (default: the installed
    ``onnx``'s newest, ``onnx.defs.onnx_opset_version()``).

    ``fp16`` converts weights and activations to float16 with onnxruntime's
    converter, keeping float32 inputs and outputs. ``make_input(batch,
    generator)`` gives the example input (default: ``randn`` images).
    """
    onnx, _ = require_onnx()
    opset = opset or onnx.defs.onnx_opset_version()
    example = (make_input or _randn(input_shape))(2, None)
    batch = torch.export.Dim('batch', min=1, max=4096)
    with torch.no_grad():
        program = torch.onnx.export(
            module, (example, ), None, input_names=['input'],
            output_names=list(getattr(module, 'output_names', ['output'])),
            opset_version=opset, dynamo=True,
            dynamic_shapes=({0: batch}, ), verbose=False)
    proto = program.model_proto
    if fp16:
        from onnxruntime.transformers.float16 import convert_float_to_float16
        proto = convert_float_to_float16(proto, keep_io_types=True)
    for key, value in (metadata or {}).items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, json.dumps(value)
    onnx.save(proto, path)
    return opset


def _randn(input_shape: Tuple[int, ...]) -> Callable:
    return lambda batch, gen: torch.randn(batch, *input_shape[1:],
                                          generator=gen)


def verify(module: nn.Module, path: str, input_shape: Tuple[int, ...],
           atol: float, batch: int = 3, seed: int = 0,
           make_input: Optional[Callable] = None) -> dict:
    """Run ``path`` with onnxruntime and ``module`` with PyTorch on the same
    random batch (of another size than the export's: checks the dynamic
    batch) and compare every output.

    Returns:
        dict: ``max_abs_diff`` over the outputs (logits divided by their
        scale, i.e. compared as cosines), ``top1_equal`` (when there are
        logits) and ``batch``.

    Raises:
        RuntimeError: an output differs by more than ``atol``, or a top-1
            differs where PyTorch's top-2 margin exceeds ``2 atol``.
    """
    _, ort = require_onnx()
    gen = torch.Generator().manual_seed(seed)
    x = (make_input or _randn(input_shape))(batch, gen)
    with torch.no_grad():
        want = module(x)
    want = list(want) if isinstance(want, (tuple, list)) else [want]
    sess = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    got = [torch.from_numpy(o).float()
           for o in sess.run(None, {'input': x.numpy()})]
    names = [o.name for o in sess.get_outputs()]
    report = dict(batch=batch, max_abs_diff=0.0)
    for name, g, w in zip(names, got, want):
        w = w.float()
        if g.shape != w.shape:
            raise RuntimeError(f'{path}: onnxruntime output {name!r} has '
                               f'shape {tuple(g.shape)}, PyTorch '
                               f'{tuple(w.shape)}.')
        scale = module.classifier.logit_scale if name == 'logits' else 1.0
        report['max_abs_diff'] = max(report['max_abs_diff'],
                                     float((g - w).abs().max()) / scale)
        if name == 'logits':
            top2 = w.topk(min(2, w.shape[1]), dim=1).values / scale
            same = g.argmax(1) == w.argmax(1)
            report['top1_equal'] = bool(same.all())
            if not bool((same | (top2[:, 0] - top2[:, -1] <= 2 * atol)
                         ).all()):
                raise RuntimeError(f'{path}: onnxruntime top-1 differs '
                                   'from PyTorch on a clear-margin input.')
    if report['max_abs_diff'] > atol:
        raise RuntimeError(
            f"{path}: onnxruntime differs from PyTorch by "
            f"{report['max_abs_diff']:.3g} > {atol:g}; the export is not "
            'trustworthy (try another --opset, or no --fp16).')
    return report


def export_onnx(model: str, out: str, checkpoint: Optional[str] = None,
                part: str = 'zero-shot', classes=None, templates=None,
                input_size: Optional[Sequence[int]] = None,
                opset: Optional[int] = None, fp16: bool = False,
                force: bool = False, atol: Optional[float] = None,
                tsb_cache_dir: Optional[str] = None) -> dict:
    """Export an LGD student to ONNX and verify it with onnxruntime.

    Args:
        model (str): LGD checkpoint (config read from it) or ``.py`` config.
        out (str): the ``.onnx`` file; written only after verification.
        checkpoint (str, optional): weights when ``model`` is a config.
        part (str): ``'backbone'``, ``'zero-shot'`` or ``'text'`` (module
            docstring).
        classes, templates: zero-shot categories / prompts (default: the
            run's); encoded with the run's text encoder.
        input_size (tuple, optional): (H, W); default: the run's test size.
        opset (int, optional): default: the installed onnx's newest.
        fp16 (bool): float16 weights/activations (float32 I/O).
        force (bool): replace an existing ``out``.
        atol (float, optional): verification tolerance on embeddings /
            cosines; default 1e-4 (fp32) or 1e-2 (fp16).

    Returns:
        dict: ``path``, ``part``, ``opset``, ``input_shape``, ``classes``
        (zero-shot), ``max_abs_diff``, ``top1_equal`` (zero-shot).

    Raises:
        FileExistsError: ``out`` exists and ``force`` is False (checked
            before any work).
        ImportError: onnx / onnxruntime / onnxscript missing.
        ValueError: unknown ``part``; backbone-only checkpoint for
            ``'zero-shot'``; TSB dimension differs from the projector's; a
            test pipeline the metadata cannot describe
            (:func:`~mmlgd.deployment.preprocess.preprocess_geometry`).
        RuntimeError: verification failed (nothing written).
    """
    if part not in PARTS:
        raise ValueError(f'Unknown part {part!r}: choose one of {PARTS}.')
    if osp.lexists(out) and not force:
        raise FileExistsError(f'{out} already exists; pass --force '
                              '(force=True) to overwrite it.')
    require_onnx()
    no_text_part(part, classes)
    cfg, state, meta = load_run(model, checkpoint)
    if part == 'text':
        module, extra, make_input = text_tower(cfg, templates)
        opset = opset or TEXT_OPSET
        return _export_verified(module, out, text_input_shape(extra), opset,
                                fp16, atol, force, make_input, dict(
                                    part=part, source=meta.get('path'),
                                    input_shape=['batch', text_input_shape(
                                        extra)[1]], **extra))
    pre = zero_shot_model_cfg(cfg).get('data_preprocessor') or {}
    geometry = preprocess_geometry(inference_pipeline(cfg), pre)
    if input_size:  # the resize / crop stay the run's: a deliberate change
        geometry = dict(geometry, input_size=[int(v) for v in input_size],
                        input_size_from='--input-size')
    elif geometry['input_size'] is None:
        raise ValueError('The inference pipeline fixes no image size: pass '
                         '--input-size.')
    h, w = geometry['input_size']
    shape = (1, 3, int(h), int(w))
    if part == 'zero-shot':
        clf = build_zero_shot_classifier(cfg, state, meta, classes,
                                         templates, tsb_cache_dir)
        module = ZeroShotLogits(clf).eval()
        extra = dict(classes=list(clf.tsb.classes),
                     logit_scale=clf.logit_scale,
                     text_encoder=clf.tsb.encoder_identity)
    else:
        module = build_backbone(cfg, state)
        extra = {}
    metadata = dict(part=part, input_shape=['batch', 3, h, w],
                    preprocess=geometry, source=meta.get('path'), **extra)
    return _export_verified(module, out, shape, opset, fp16, atol, force,
                            None, metadata)


def _export_verified(module, out, shape, opset, fp16, atol, force,
                     make_input, metadata) -> dict:
    """Export to a temporary file, verify it, then move it to ``out``."""
    from mmlgd.utils.fileio import atomic_write_bytes
    atol = atol if atol is not None else (1e-2 if fp16 else 1e-4)
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.onnx.tmp')
    os.close(fd)
    try:
        used = export_module(module, tmp, shape, opset, fp16, metadata,
                             make_input)
        report = verify(module, tmp, shape, atol, make_input=make_input)
        with open(tmp, 'rb') as f:
            atomic_write_bytes(out, f.read(), force=force)
    finally:
        os.unlink(tmp)
    keep = {k: v for k, v in metadata.items()
            if k in ('classes', 'logit_scale', 'text_encoder')}
    return dict(path=out, part=metadata['part'], opset=used,
                input_shape=list(shape), fp16=fp16, atol=atol, **report,
                **keep)
