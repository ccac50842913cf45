_base_ = './linear-probe_lgd-resnet18_8xb32-coslr-100e_in1k.py'
# MOCO-STYLE PROTOCOL (see ..._in1k.py) on Caltech-256 ("CT-256"): the
# paper's split (256 object classes, 60 seeded random training images per
# class, the rest val), lists written by
#   python tools/dataset_converters/split_caltech256.py
# over data/caltech256/256_ObjectCategories/. The paper's protocol:
# linear-probe_lgd-resnet18_4xb512-steplr-100e_caltech256.py.
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
