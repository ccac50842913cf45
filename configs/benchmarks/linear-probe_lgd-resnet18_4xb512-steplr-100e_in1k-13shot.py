# PAPER PROTOCOL (see linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py)
# on the paper's "1%" of ImageNet-1k labels: 13 random training images per
# class, drawn as the authors' tools/make-imgnet-subset.py but seeded:
#   python tools/dataset_converters/make_imagenet_subset.py 13
# (writes data/imagenet/meta/train_13-per-class_seed0.txt). The SimCLR 1%
# list is the community-standard alternative:
# linear-probe_lgd-resnet18_8xb32-coslr-100e_in1k-1pct.py.
_base_ = './linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py'
train_dataloader = dict(
    dataset=dict(split='', ann_file='meta/train_13-per-class_seed0.txt',
                 data_prefix='train'))
