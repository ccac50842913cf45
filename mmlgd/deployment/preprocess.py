"""The run's inference preprocessing, as transforms and as plain geometry.

One source of truth for what an image goes through before the student:
:func:`inference_pipeline` picks the run's test (or validation) transforms,
the ones ``tools/test.py`` and the run's own zero-shot validation apply;
:class:`mmlgd.apis.ZeroShotInferencer` runs exactly those, and
:func:`preprocess_geometry` describes the same list, with the model's data
preprocessor, as plain numbers for the ONNX metadata, so that code without
mmcv can reproduce it (resize, crop, channel order, mean/std).
"""
from typing import List, Optional, Sequence, Tuple

from mmengine.config import Config

# What the geometry can describe; anything else in the pipeline is refused
# by preprocess_geometry rather than left out of the metadata.
_NO_OPS = ('PackInputs', )


def walk(node, fn) -> None:
    """Apply ``fn`` to every dict of a nested dict / list config tree."""
    if isinstance(node, dict):
        fn(node)
        for v in node.values():
            walk(v, fn)
    elif isinstance(node, (list, tuple)):
        for v in node:
            walk(v, fn)


def _unwrap_single_view(pipe: Sequence[dict]) -> List[dict]:
    """Replace a one-view ``MultiView`` (LGD's validation pipelines wrap
    their view for ``SelfSupDataPreprocessor``) by its transforms."""
    out = []
    for t in pipe:
        views = t.get('transforms') if t.get('type') == 'MultiView' else None
        nums = t.get('num_views', 1)
        nums = list(nums) if isinstance(nums, (list, tuple)) else [nums]
        if views is not None and nums == [1] and len(views) == 1:
            out.extend(dict(v) for v in views[0])
        else:
            out.append(dict(t))
    return out


def inference_pipeline(cfg: Config) -> List[dict]:
    """The run's test transforms, without the loading step.

    Taken from, in this order: ``test_dataloader``, the config's
    ``test_pipeline``, ``val_dataloader`` (what an LGD run's zero-shot
    validation applies; its one-view ``MultiView`` is unwrapped), else the
    standard evaluation view of the training crop size ``s``: resize the
    short edge to ``round(s * 256 / 224)`` (bilinear, as the authors'
    zero-shot evaluation), centre-crop ``s``.

    Args:
        cfg (Config): the run's config.

    Returns:
        list[dict]: transform configs, ending with ``PackInputs``.
    """
    pipe = None
    for source in ('test_dataloader', 'test_pipeline', 'val_dataloader'):
        node = cfg.get(source, None)
        if isinstance(node, dict):
            node = (node.get('dataset') or {}).get('pipeline')
        if node:
            pipe = node
            break
    if not pipe:
        found = []
        walk(cfg.get('train_dataloader', None) or {}, lambda d: found.append(
            d['scale']) if d.get('type') == 'RandomResizedCrop' else None)
        s = int(found[0]) if found else 224
        pipe = [dict(type='ResizeEdge', scale=round(s * 256 / 224),
                     edge='short', backend='pillow', interpolation='bilinear'),
                dict(type='CenterCrop', crop_size=s),
                dict(type='PackInputs')]
    pipe = _unwrap_single_view(pipe)
    while pipe and 'Load' in pipe[0].get('type', ''):
        pipe.pop(0)
    return pipe


def _hw(size) -> List[int]:
    """mmcv's ``scale`` / ``crop_size`` (int, or (w, h)) -> [h, w]."""
    if isinstance(size, int):
        return [size, size]
    return [int(size[1]), int(size[0])]


def _resize(t: dict) -> dict:
    kind = t['type']
    common = dict(interpolation=t.get('interpolation', 'bilinear'),
                  backend=t.get('backend', 'cv2'))
    if kind == 'ResizeEdge':
        return dict(mode='edge', edge=t.get('edge', 'short'),
                    size=int(t['scale']), **common,
                    rule='the named edge becomes `size`; the other edge '
                    'int(size * other / named) (truncated)')
    if kind == 'Resize' and t.get('scale') is not None and not t.get(
            'keep_ratio', False):
        return dict(mode='exact', size=_hw(t['scale']), **common,
                    rule='to exactly size [h, w]')
    raise ValueError(
        f'The inference pipeline has {t} (keep_ratio or scale_factor), which '
        'the ONNX metadata cannot describe: use ResizeEdge or Resize with a '
        'fixed scale in the run\'s test pipeline.')


def preprocess_geometry(pipeline: Sequence[dict],
                        data_preprocessor: Optional[dict] = None) -> dict:
    """The whole preprocessing of ``pipeline`` + ``data_preprocessor`` as
    plain values (the ONNX file's ``preprocess`` metadata).

    Starting from the decoded image (H, W, 3) uint8 in BGR order (mmcv /
    OpenCV) or RGB (PIL): ``resize`` (or none), then ``crop`` (or none),
    then the channel order ``channel_order`` (RGB when ``to_rgb``), then
    ``(x - mean) / std`` per channel on the 0-255 scale, as float32 NCHW of
    spatial size ``input_size``.

    Args:
        pipeline (Sequence[dict]): :func:`inference_pipeline`'s transforms.
        data_preprocessor (dict, optional): the model's data preprocessor
            config (``mean``, ``std``, ``to_rgb``).

    Returns:
        dict: ``resize`` (``mode`` 'edge' with ``edge`` and ``size``, or
        'exact' with ``size`` [h, w]; ``interpolation``, ``backend``,
        ``rule``) or None; ``crop`` (``mode`` 'center', ``size`` [h, w],
        ``rule``) or None; ``input_size`` [h, w] (None when nothing fixes
        it); ``channel_order``; ``to_rgb``; ``mean``; ``std``; ``scale``
        '0-255'; ``layout`` 'NCHW'.

    Raises:
        ValueError: a transform the metadata cannot describe (another
            type, a padding crop, a keep-ratio resize), or two resizes or
            crops.
    """
    resize = crop = None
    for t in pipeline:
        kind = t.get('type')
        if kind in ('ResizeEdge', 'Resize') and resize is None and (
                crop is None):
            resize = _resize(t)
        elif kind == 'CenterCrop' and crop is None and not t.get(
                'auto_pad', False):
            crop = dict(mode='center', size=_hw(t['crop_size']),
                        rule='top = round((H - h) / 2), left = round((W - '
                        'w) / 2) (Python round: half to even); an image '
                        'smaller than the crop keeps that side')
        elif kind not in _NO_OPS:
            raise ValueError(
                f'The inference pipeline has {t}, which the ONNX metadata '
                'cannot describe (supported: one ResizeEdge or fixed-scale '
                'Resize, then one CenterCrop without padding). Give the '
                'run\'s config a test_pipeline of those.')
    size = crop['size'] if crop else (
        resize['size'] if resize and resize['mode'] == 'exact' else None)
    pre = data_preprocessor or {}
    to_rgb = bool(pre.get('to_rgb', False))
    return dict(
        resize=resize, crop=crop, input_size=size,
        channel_order='RGB' if to_rgb else 'BGR', to_rgb=to_rgb,
        mean=[float(x) for x in pre.get('mean', [0.0] * 3)],
        std=[float(x) for x in pre.get('std', [1.0] * 3)],
        scale='0-255', layout='NCHW')


def image_size(pipeline: Sequence[dict]) -> Tuple[int, int]:
    """(H, W) the pipeline produces: its crop or fixed resize.

    Raises:
        ValueError: the pipeline fixes no size, or cannot be described
            (:func:`preprocess_geometry`).
    """
    size = preprocess_geometry(pipeline)['input_size']
    if size is None:
        raise ValueError('The inference pipeline fixes no image size: pass '
                         '--input-size.')
    return int(size[0]), int(size[1])
