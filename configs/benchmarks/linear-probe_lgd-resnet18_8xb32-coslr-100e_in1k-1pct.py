_base_ = './linear-probe_lgd-resnet18_8xb32-coslr-100e_in1k.py'
# MOCO-STYLE PROTOCOL (see ..._in1k.py) on 1% of the ImageNet-1k training
# labels: the SimCLR semi-supervised subset list (community standard; one
# "path label" line per image, in data/imagenet/meta/). The paper's
# subsets and protocol:
# linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k-13shot.py
train_dataloader = dict(
    dataset=dict(split='', ann_file='meta/train_1percent.txt',
                 data_prefix='train'))
