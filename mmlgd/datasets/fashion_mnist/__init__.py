"""Fashion-MNIST data tools of the embedded demo (not imported by ``import
mmlgd``; the tools import what they need).

* :mod:`.idx`: find, check (md5) and read/write the idx files, through
  mmpretrain's MNIST readers.
* :mod:`.splits`: the disjoint, seeded ``teacher`` / ``pretrain`` /
  ``probe_<k>`` / ``test`` folders
  (``tools/dataset_converters/prepare_fashion_mnist.py``).
* :mod:`.render`: one detection/segmentation scene from Fashion-MNIST items.
* :mod:`.scenes`: the scenes dataset on disk (COCO json + label PNGs;
  ``tools/dataset_converters/make_fmnist_scenes.py``), read for training by
  mmdet's ``CocoDataset`` and :class:`mmlgd.datasets.
  FashionMNISTScenesSegDataset`.
"""
