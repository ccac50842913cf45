"""Image loading that names the bad file."""
from typing import Optional

from mmcv.transforms import LoadImageFromFile
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class StrictLoadImageFromFile(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` whose failures name the file and the fix.

    mmcv reports an undecodable image with a bare ``assert`` (gone under
    ``python -O``) and an empty file with an OpenCV error that does not name
    the file at all; in a dataset of millions of images that is not
    actionable. Same arguments and outputs as ``LoadImageFromFile``
    (``img`` (H, W, 3) uint8 BGR, ``img_shape``, ``ori_shape``).

    Raises:
        FileNotFoundError: the file does not exist (message names it).
        OSError: the file cannot be read or decoded (empty, truncated, not
            an image); the message names the file. With
            ``ignore_empty=True`` such files yield ``None`` instead, as in
            mmcv, and the dataset samples another image.
    """

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            return super().transform(results)
        except Exception as err:  # noqa: BLE001 - re-raised with the file
            if self.ignore_empty:
                return None
            what = f'{type(err).__name__}: {str(err)[:200]}'
            if isinstance(err, FileNotFoundError):
                raise FileNotFoundError(
                    f'Image file {path!r} does not exist ({what}): fix the '
                    'path (for a dataset: its data root or annotation '
                    'file).') from err
            raise OSError(
                f'Cannot read image {path!r} ({what}): the file is empty, '
                'truncated or not an image. Replace or delete it (and its '
                'line in the annotation file, if any).') from err
