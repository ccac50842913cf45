# PAPER PROTOCOL (see linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py)
# on Caltech-256 ("linear CT-256"): 256 object classes (clutter excluded),
# 60 random training images per class, the rest for validation, drawn as the
# authors' tools/make-caltech-trainval.py but seeded:
#   python tools/dataset_converters/split_caltech256.py
# (writes data/caltech256/meta/{train,val}.txt over
# data/caltech256/256_ObjectCategories/). Labels = folder order 001-256.
_base_ = './linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py'
_data = dict(type='CustomDataset', data_root='data/caltech256',
             data_prefix='256_ObjectCategories')
train_dataloader = dict(dataset=dict(_delete_=True, ann_file='meta/train.txt',
                                     pipeline={{_base_.train_pipeline}},
                                     **_data))
val_dataloader = dict(dataset=dict(_delete_=True, ann_file='meta/val.txt',
                                   pipeline={{_base_.test_pipeline}},
                                   **_data))
test_dataloader = val_dataloader
model = dict(head=dict(num_classes=256))
data_preprocessor = dict(num_classes=256)
