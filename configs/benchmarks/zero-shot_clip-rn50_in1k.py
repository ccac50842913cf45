# Zero-shot ImageNet-1k of the CLIP RN50 teacher itself (paper: 58.9 top-1):
#   python tools/test.py configs/benchmarks/zero-shot_clip-rn50_in1k.py none
# (the teacher needs no checkpoint of ours; pass `none`).
_base_ = './zero-shot_lgd-resnet18_in1k.py'
model = dict(
    backbone=None, neck=None,
    image_encoder=dict(type='OpenCLIPVisionTeacher',
                       model_name='RN50-quickgelu', pretrained='openai'))
# The frozen teacher has no trainable parameter, and torch's DDP refuses to
# wrap such a model: under tools/dist_test.sh wrap only the submodules that
# train (none here).
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
