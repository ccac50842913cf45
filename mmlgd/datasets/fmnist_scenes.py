"""Semantic-segmentation dataset for the Fashion-MNIST scenes.

The scenes are written by ``tools/dataset_converters/make_fmnist_scenes.py``;
detection uses mmdet's ``CocoDataset`` on the same folder (see that script's
docstring for the layout), so only the segmentation side needs a class here.
"""
from mmpretrain.datasets.categories import FASHIONMNIST_CATEGORITES
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class FashionMNISTScenesSegDataset(BaseSegDataset):
    """Fashion-MNIST scenes for mmseg: 11 classes, background = 0.

    Label maps are uint8 PNGs with 0 = background and k = Fashion-MNIST class
    k - 1 (1..10, names from mmpretrain's ``FashionMNIST``); 255 is never
    written, so ``ignore_index=255`` ignores nothing. Background is a real
    class, hence ``reduce_zero_label=False``.

    Typical use::

        dict(type='FashionMNISTScenesSegDataset',
             data_root='data/fmnist_scenes',
             data_prefix=dict(img_path='images/train',
                              seg_map_path='ann_dir/train'),
             pipeline=...)

    Args:
        img_suffix (str): image file suffix. Defaults to '.png'.
        seg_map_suffix (str): label map suffix. Defaults to '.png'.
        reduce_zero_label (bool): must stay False (0 is background).
        **kwargs: see :class:`mmseg.datasets.BaseSegDataset`.
    """
    METAINFO = dict(
        classes=('background', ) + tuple(FASHIONMNIST_CATEGORITES),
        palette=[[0, 0, 0], [31, 119, 180], [255, 127, 14], [44, 160, 44],
                 [214, 39, 40], [148, 103, 189], [140, 86, 75],
                 [227, 119, 194], [127, 127, 127], [188, 189, 34],
                 [23, 190, 207]])

    def __init__(self,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            **kwargs)
