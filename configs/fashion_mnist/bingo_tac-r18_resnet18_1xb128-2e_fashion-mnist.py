# BINGO baseline on the unlabelled Fashion-MNIST split: the LGD demo run with
# the same text-aligned teacher, student, augmentation, schedule and seed,
# and the TSB/VSB loss replaced by BINGO's bag-of-instances loss (no text).
# Build the bags first (after the demo's teacher exists):
#   python tools/bingo_neighbours.py THIS_CONFIG
_base_ = './lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'
model = dict(
    _delete_=True,
    type='BINGO',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='StudentProjector', in_channels=512),
    head=dict(type='BINGOHead', temperature=0.2),
    target_generator=_base_.model.target_generator,
    # 4096 = 32 batches of 128, as the SEED demo student.
    queue=dict(type='EmbeddingQueue', size=4096),
    # on from iteration ceil(0.055 x 312) = 18 of the 312 (2 epochs of 156)
    bag_weight=0.5, bag_start=11 / 200)
bingo_pipeline = [
    dict(type='MultiView', num_views=2,
         transforms=[_base_.train_pipeline[:-1]]),
    dict(type='PackInputs'),
]
knn_pipeline = [  # the clean view: the evaluation resize to 32 px
    dict(type='MultiView', num_views=1,
         transforms=[_base_.test_pipeline[:-1]]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='BagOfInstancesDataset',
        dataset=dict(type=_base_.dataset_type,
                     data_root=_base_.fmnist_root + 'pretrain',
                     split='train', download=False,
                     pipeline=bingo_pipeline),
        neighbour_file='work_dirs/demo/bingo/neighbours_tac-r18_k5.npz',
        num_neighbours=5, cutmix_alpha=2.0))
custom_hooks = [*_base_.custom_hooks, dict(type='EmbeddingQueueCheckHook')]
