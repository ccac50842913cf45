_base_ = './linear-probe_lgd-resnet18_8xb32-coslr-100e_in1k.py'
# 10% of the ImageNet-1k training labels (the SimCLR semi-supervised
# subset list, one "path label" line per image, in data/imagenet/meta/).
train_dataloader = dict(
    dataset=dict(split='', ann_file='meta/train_10percent.txt',
                 data_prefix='train'))
