"""Replayable augmented views: seeded RNGs plus stored augmentation
parameters (FKD, Shen & Xing, ECCV 2022, Sec. 3, stores crop boxes and flips
the same way).

Every random draw of mmcv / mmpretrain's stock transforms sits behind a
method decorated with mmcv's ``@cache_randomness`` (listed in the class's
``_methods_with_randomness``): ``RandomResizedCrop.rand_crop_params``,
``ColorJitter._rand_params``, mmcv's ``RandomGrayscale._random_prob``,
``GaussianBlur`` / the ``BaseAugTransform`` family's ``random_disable`` and
``random_magnitude``, ``RandomFlip._choose_direction``,
``RandomApply.random_apply``, ... When a view is built, each of those calls
runs under its own seed (so the other transforms' stream does not depend on
them) and its return value is recorded; on replay the recorded value is
returned and the method is not run. A library version that draws its
randomness differently inside such a method therefore still gives the same
view.

Transforms whose randomness is not behind ``@cache_randomness`` (a
torchvision transform wrapped by ``TorchVisonTransformWrapper``,
``MAERandomResizedCrop``, ``RandomErasing``'s patch fill,
``RandomResizedCropAndInterpolationWithTwoPic``, mask generators) and
return values that are not plain data fall back to the seed: Python
``random``, NumPy's global RNG and torch's CPU generator are seeded per view
as before, so they replay bit-exactly as long as the library versions do not
change. :func:`capturable` lists what a pipeline captures.
"""
import contextlib
import random
from typing import Iterator, List, Optional, Tuple

import numpy as np
import torch

SUB_STREAM = 0xCA97  # separates the seeds of captured calls


def view_seed(index: int, view: int, seed: int) -> int:
    """The RNG seed of view ``view`` of image ``index`` in a run seeded
    ``seed``: a 32-bit word of ``numpy.random.SeedSequence([seed, index,
    view])`` (well mixed, independent of the worker or rank)."""
    return int(np.random.SeedSequence(
        [int(seed), int(index), int(view)]).generate_state(1)[0])


@contextlib.contextmanager
def seeded_rngs(seed: int) -> Iterator[None]:
    """Seed Python ``random``, NumPy's global ``np.random`` and torch's CPU
    generator for the ``with`` block, then restore their previous states."""
    states = (random.getstate(), np.random.get_state(),
              torch.random.get_rng_state())
    random.seed(seed)
    np.random.seed(seed)
    torch.random.default_generator.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.random.set_rng_state(states[2])


class NotPlain(TypeError):
    """A recorded value that :func:`encode` cannot store exactly."""


def encode(value):
    """A JSON-plain, type-exact encoding of a random method's return value
    (numpy scalars / arrays keep their dtype, tuples stay tuples).

    Raises:
        NotPlain: an object of another type.
    """
    if isinstance(value, np.ndarray):
        return {'nd': value.tolist(), 'dtype': str(value.dtype),
                'shape': list(value.shape)}
    if isinstance(value, np.generic):  # before str: np.str_ is a str
        return {'np': value.item(), 'dtype': str(value.dtype)}
    if value is None or type(value) in (bool, str, int, float):
        return value
    if isinstance(value, tuple):
        return {'tuple': [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    raise NotPlain(type(value).__name__)


def decode(value):
    """Inverse of :func:`encode`."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if 'tuple' in value:
        return tuple(decode(v) for v in value['tuple'])
    if 'nd' in value:
        return np.array(value['nd'], dtype=value['dtype']).reshape(
            value['shape'])
    return np.dtype(value['dtype']).type(value['np'])


def _children(obj) -> list:
    out = []
    for v in vars(obj).values():
        for item in (v if isinstance(v, (list, tuple)) else [v]):
            if callable(item) and not isinstance(item, type) and (
                    hasattr(item, 'transform') or hasattr(item,
                                                          'transforms')):
                out.append(item)
    return out


def random_methods(pipeline) -> List[Tuple[int, object, str]]:
    """``(position, transform, method name)`` of every ``@cache_randomness``
    method in a pipeline (a ``Compose`` or transform), depth first; each
    transform object once (``MultiView`` lists its pipelines twice)."""
    seen, out = set(), []

    def walk(t):
        if id(t) in seen:
            return
        seen.add(id(t))
        pos = len(seen) - 1
        for name in dict.fromkeys(getattr(type(t), '_methods_with_randomness',
                                          ())):
            if hasattr(t, name):
                out.append((pos, t, name))
        for child in _children(t):
            walk(child)

    walk(pipeline)
    return out


def capturable(pipeline) -> List[str]:
    """``Class.method`` names a pipeline's views store parameters for."""
    return [f'{type(t).__name__}.{n}' for _, t, n in random_methods(pipeline)]


@contextlib.contextmanager
def _captured(pipeline, view_rng_seed: int, log: Optional[list],
              replay: Optional[list]):
    """Wrap every random method of ``pipeline`` for one view: record its
    return values into ``log``, or return those of ``replay`` in order."""
    methods = random_methods(pipeline)
    calls = iter(replay) if replay is not None else None
    count = [0]

    def wrap(pos, t, name):
        method = getattr(t, name)

        def wrapped(*args, **kwargs):
            if calls is not None:
                entry = next(calls, None)
                if entry is None or entry[:2] != [pos, name]:
                    raise RuntimeError(
                        f'Stored view parameters do not match the pipeline '
                        f'({type(t).__name__}.{name} at position {pos}, '
                        f'stored {entry and entry[:2]}): rebuild the cache.')
                return decode(entry[2])
            count[0] += 1
            seed = int(np.random.SeedSequence(
                [view_rng_seed, SUB_STREAM, count[0]]).generate_state(1)[0])
            with seeded_rngs(seed):
                value = method(*args, **kwargs)
            log.append([pos, name, encode(value)])  # NotPlain: seed only
            return value
        return wrapped

    patched = []
    try:
        for pos, t, name in methods:
            patched.append((t, name, name in vars(t), vars(t).get(name)))
            setattr(t, name, wrap(pos, t, name))
        yield
    finally:
        for t, name, had, old in patched:
            if had:
                setattr(t, name, old)
            else:
                delattr(t, name)


def replay_view(dataset, index: int, view: int, seed: int,
                params: Optional[list] = None,
                log: Optional[list] = None) -> dict:
    """Run ``dataset``'s own pipeline on image ``index`` for view ``view``.

    The RNGs are seeded by :func:`view_seed`; with ``params`` (the call log
    a build stored) every ``@cache_randomness`` method returns its stored
    value instead of drawing; with ``log`` (a list) the calls are recorded
    into it. The same (index, view, seed) gives a bit-identical result with
    and without ``params``, unless a transform now draws differently (then
    only the ``params`` replay is still identical).

    Raises:
        RuntimeError: the pipeline dropped the image (returned None), or
            ``params`` do not match the pipeline.
    """
    if params is not None and any(len(e) > 3 for e in params):
        params = None  # a value that could not be stored: seed replay
    s = view_seed(index, view, seed)
    with seeded_rngs(s):
        if params is None and log is None:
            out = dataset.prepare_data(index)
        else:
            try:
                with _captured(dataset.pipeline, s, log, params):
                    out = dataset.prepare_data(index)
            except NotPlain:  # this view is replayed from its seed only
                log[:] = [[-1, 'seed', None, 'seed']]
                with seeded_rngs(s):
                    out = dataset.prepare_data(index)
    if out is None:
        raise RuntimeError(
            f'The pipeline returned None for image {index} '
            f'({dataset.get_data_info(index).get("img_path")}): a teacher '
            'cache needs every image readable; fix or remove it.')
    return out
