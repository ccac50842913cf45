# BINGO baseline (Xu et al., ICLR 2022) in LGD's setting: the same CLIP RN50
# teacher, ResNet-18 student, projector, MoCo v2 augmentation, schedule and
# runtime as configs/lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k.py; no
# text. Reference values (haohang96/bingo): see configs/bingo/README.md.
# Before training, build the bags (each image's 5 nearest images in the
# teacher's space, from one clean view):
#   python tools/bingo_neighbours.py THIS_CONFIG
_base_ = [
    '../_base_/models/lgd_clip-rn50_resnet18.py',
    '../_base_/datasets/imagenet_lgd_mocov2.py',
    '../_base_/schedules/lgd_sgd-coslr-200e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='BINGO',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'),
                  zero_init_residual=False),
    # out_channels (D) and the queue's dim default to the teacher's (1024).
    neck=dict(type='StudentProjector', in_channels=512),
    head=dict(type='BINGOHead', temperature=0.2),  # --moco_t 0.2
    target_generator=_base_.model.target_generator,
    # 65536 = 32 x the global batch 2048 (8 GPUs x 256), --moco_k 65536.
    queue=dict(type='EmbeddingQueue', size=65536),
    # --lam 0.5,0.5 from epoch 11 of 200 (main_moco.py `epoch > 10`),
    # scaled to the run's length: on from 11/200 of the iterations.
    bag_weight=0.5, bag_start=11 / 200)
# Per image: a student and a teacher view of it, then of one neighbour
# (the reference's query/key of image and neighbour, moco/folder.py).
bingo_pipeline = [
    dict(type='StrictLoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[_base_.view_pipeline]),
    dict(type='PackInputs'),
]
# The clean view the neighbours are computed on (compute_knn.py: Resize 256,
# CenterCrop 224), embedded once by the frozen teacher.
knn_pipeline = [
    dict(type='StrictLoadImageFromFile'),
    dict(type='MultiView', num_views=1, transforms=[[
        dict(type='ResizeEdge', scale=256, edge='short', backend='pillow',
             interpolation='bilinear'),
        dict(type='CenterCrop', crop_size=224)]]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='BagOfInstancesDataset',
        dataset=dict(type=_base_.dataset_type, data_root=_base_.data_root,
                     split='train', pipeline=bingo_pipeline),
        neighbour_file='data/imagenet/bingo_neighbours_clip-rn50_k5.npz',
        num_neighbours=5,  # --clus_pos_num 5
        cutmix_alpha=2.0))  # utils.py cutmix(alpha=2.)
# Refuse a queue that is not a multiple of the global batch before step 1.
custom_hooks = [*_base_.custom_hooks, dict(type='EmbeddingQueueCheckHook')]
