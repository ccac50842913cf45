# Caltech-256 in the paper's split, as lists written by
#   python tools/dataset_converters/split_caltech256.py
# (256 object classes, 257.clutter excluded; 60 seeded random training
# images per class in meta/train.txt, the rest in meta/val.txt) over
# data/caltech256/256_ObjectCategories/. Label k = folder k + 1 = row k of
# the `caltech256` TSB. Use as `dict(ann_file='meta/val.txt', pipeline=...,
# **_base_.caltech256)`.
caltech256 = dict(type='CustomDataset', data_root='data/caltech256/',
                  data_prefix='256_ObjectCategories')
