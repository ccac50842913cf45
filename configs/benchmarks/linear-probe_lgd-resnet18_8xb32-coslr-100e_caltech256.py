_base_ = './linear-probe_lgd-resnet18_8xb32-coslr-100e_in1k.py'
# Caltech-256 linear probe (paper Table 1, "CT-256"): an ImageNet-style
# folder tree data/caltech256/{train,test}/<class>/*.jpg (257 classes with
# clutter) read by mmpretrain's CustomDataset.
_data = dict(type='CustomDataset', data_root='data/caltech256')
train_dataloader = dict(dataset=dict(_delete_=True, data_prefix='train',
                                     pipeline={{_base_.train_pipeline}},
                                     **_data))
val_dataloader = dict(dataset=dict(_delete_=True, data_prefix='test',
                                   pipeline={{_base_.test_pipeline}},
                                   **_data))
test_dataloader = val_dataloader
model = dict(head=dict(num_classes=257))
data_preprocessor = dict(num_classes=257)
