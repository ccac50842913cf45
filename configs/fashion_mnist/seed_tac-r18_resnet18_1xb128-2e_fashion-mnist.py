# SEED baseline on the unlabelled Fashion-MNIST split: the LGD demo run with
# the same text-aligned teacher, student, data, schedule and seed, and the
# TSB/VSB loss replaced by SEED's instance-queue loss (no text).
_base_ = './lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'
model = dict(
    _delete_=True,
    type='SEED',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='StudentProjector', in_channels=512),
    head=dict(type='SEEDHead', student_temp=0.2, teacher_temp=1e-4),
    target_generator=_base_.model.target_generator,
    # 4096 = 32 batches of 128, about 20% of the 20k images (the reference's
    # 65536 would exceed the split; it is 5% of ImageNet-1k).
    queue=dict(type='EmbeddingQueue', size=4096))
custom_hooks = [*_base_.custom_hooks, dict(type='EmbeddingQueueCheckHook')]
