"""Image-file listing shared by the class-subset tools and the inferencer
(mmengine's ``scandir``)."""
from typing import List

from mmengine.utils import scandir

#: Image file extensions (compared case-insensitively).
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif',
                    '.tiff', '.webp')


def list_image_files(folder: str) -> List[str]:
    """Names of the image files directly in ``folder`` (by extension, any
    case; hidden files and sub-folders are skipped), sorted.

    Args:
        folder (str): an existing folder.

    Returns:
        list[str]: file names relative to ``folder``.
    """
    return sorted(scandir(folder, IMAGE_EXTENSIONS, case_sensitive=False))
