# LGD on the unlabelled Fashion-MNIST split (its labels are zeroed on disk
# and never read): ResNet-18 student <- frozen text-aligned ResNet-18
# teacher, TSB of the 10 category names from the offline MiniLM encoder.
_base_ = [
    '../_base_/datasets/fashion-mnist_32px.py',
    '../_base_/models/fashion-mnist_tsb_minilm.py',
    '../_base_/default_runtime.py',
]
teacher_config = 'configs/fashion_mnist/tac_resnet18_1xb128-4e_fashion-mnist.py'  # noqa
teacher_checkpoint = 'work_dirs/demo/teacher/epoch_4.pth'
model = dict(
    type='LGD',
    data_preprocessor=dict(type='SelfSupDataPreprocessor',
                           mean={{_base_.fmnist_mean}},
                           std={{_base_.fmnist_std}}, to_rgb=False),
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='LGKANeck', in_channels=512, momentum=0.99),
    head=dict(type='LGDHead', student_temp=0.2, teacher_temp=0.01,
              w_tex=0.5, w_vis=0.5),
    target_generator=dict(type='TextAlignedTeacher', config=teacher_config,
                          checkpoint=teacher_checkpoint,
                          data_mean={{_base_.fmnist_mean}},
                          data_std={{_base_.fmnist_std}}),
    tsb={{_base_.fmnist_tsb}})
lgd_pipeline = [
    dict(type='MultiView', num_views=1,
         transforms=[_base_.train_pipeline[:-1]]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    drop_last=True,
    collate_fn=dict(type='default_collate'),
    dataset=dict(data_root=_base_.fmnist_root + 'pretrain',
                 pipeline=lgd_pipeline))
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2)
default_hooks = dict(checkpoint=dict(interval=2, max_keep_ckpts=1),
                     logger=dict(interval=20))
