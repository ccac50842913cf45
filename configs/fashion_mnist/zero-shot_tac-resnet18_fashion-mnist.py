# Zero-shot accuracy of the text-aligned teacher through the same TSB:
#   python tools/test.py THIS_CONFIG none
_base_ = './zero-shot_lgd-resnet18_fashion-mnist.py'
teacher_config = 'configs/fashion_mnist/tac_resnet18_1xb128-4e_fashion-mnist.py'  # noqa
teacher_checkpoint = 'work_dirs/demo/teacher/epoch_4.pth'
model = dict(
    backbone=None, neck=None,
    image_encoder=dict(type='TextAlignedTeacher', config=teacher_config,
                       checkpoint=teacher_checkpoint,
                       data_mean={{_base_.fmnist_mean}},
                       data_std={{_base_.fmnist_std}}))
# The frozen teacher has no trainable parameter, and torch's DDP refuses to
# wrap such a model: under tools/dist_test.sh wrap only the submodules that
# train (none here).
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
