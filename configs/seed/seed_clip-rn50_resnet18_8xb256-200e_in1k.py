# SEED baseline (Fang et al., ICLR 2021) in LGD's setting: the same CLIP RN50
# teacher, ResNet-18 student, projector, MoCo v2 view, schedule and runtime
# as configs/lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k.py; no text.
# Reference defaults (jacobswan1/SEED tools/opts.py): queue 65536, student
# temperature 0.2, teacher (distillation) temperature 1e-4.
_base_ = [
    '../_base_/models/lgd_clip-rn50_resnet18.py',
    '../_base_/datasets/imagenet_lgd_mocov2.py',
    '../_base_/schedules/lgd_sgd-coslr-200e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='SEED',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'),
                  zero_init_residual=False),
    # out_channels (D) and the queue's dim default to the teacher's (1024).
    neck=dict(type='StudentProjector', in_channels=512),
    head=dict(type='SEEDHead', student_temp=0.2, teacher_temp=1e-4,
              loss=dict(type='CrossEntropyLoss', use_soft=True)),
    target_generator=_base_.model.target_generator,
    # 65536 = 32 x the global batch 2048 (8 GPUs x 256).
    queue=dict(type='EmbeddingQueue', size=65536))
# Refuse a queue that is not a multiple of the global batch before step 1.
custom_hooks = [*_base_.custom_hooks, dict(type='EmbeddingQueueCheckHook')]
