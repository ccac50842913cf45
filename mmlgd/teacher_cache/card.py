"""The cache card: the human-readable facts a manifest holds
(``tools/cache_teacher.py info DIR`` prints them)."""
import datetime
import importlib.metadata
from typing import Optional

from .key import plain

LIBRARIES = ('mmlgd', 'torch', 'numpy', 'mmcv', 'mmengine', 'mmpretrain',
             'Pillow', 'opencv-python', 'opencv-python-headless',
             'open_clip_torch')


def library_versions() -> dict:
    """Versions of the libraries that decode, augment and embed (None when
    not installed)."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    if out['mmlgd'] is None:
        from ..version import __version__
        out['mmlgd'] = __version__
    return out


def _weights(node, found: Optional[dict] = None, path: str = '') -> dict:
    """``config key path -> sha256`` of every file the teacher key hashed."""
    found = {} if found is None else found
    if isinstance(node, dict):
        if set(node) == {'sha256'}:
            found[path] = node['sha256']
        for k, v in node.items():
            _weights(v, found, f'{path}.{k}' if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _weights(v, found, f'{path}[{i}]')
    return found


def make_card(key: dict, teacher_cfg: dict, num_images: int, dim: int,
              dtype: str, itemsize: int) -> dict:
    """The card of a cache built now.

    Args:
        key (dict): the cache key.
        teacher_cfg (dict): the teacher config (its type names it).
        num_images (int), dim (int), dtype (str), itemsize (int): layout.
    """
    return {
        'teacher': plain(teacher_cfg).get('type'),
        'teacher_files_sha256': _weights(key['teacher']['model']),
        'pipeline': key['pipeline'],
        'num_views': key['num_views'], 'seed': key['seed'],
        'num_images': num_images, 'dim': dim, 'dtype': dtype,
        'bytes_per_view': dim * itemsize,
        'image_fingerprint': key['dataset'].get('content'),
        'libraries': library_versions(),
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
    }


def format_card(manifest: dict, cache_dir: str) -> str:
    """The card as text, one fact per line."""
    c = manifest['card']
    lines = [f'Teacher cache {cache_dir} (format {manifest["format"]})',
             f'  teacher:        {c["teacher"]}']
    lines += [f'    {k}: sha256 {v}'
              for k, v in c['teacher_files_sha256'].items()]
    lines += [
        f'  images:         {c["num_images"]}',
        f'  views (N):      {c["num_views"]}   seed: {c["seed"]}',
        f'  z_T:            {c["dim"]} dims x {c["dtype"]} = '
        f'{c["bytes_per_view"]} bytes per view; '
        f'{manifest["bytes"]} bytes in all',
        '  image check:    size + sha256 of '
        + ('the whole file' if c['image_fingerprint'] == 'full'
           else 'the first and last 64 KiB'),
        f'  built:          {c["date"]}',
        '  libraries:      ' + ', '.join(
            f'{k} {v}' for k, v in c['libraries'].items() if v),
        '  pipeline:']
    lines += [f'    {t}' for t in c['pipeline']]
    return '\n'.join(lines)
