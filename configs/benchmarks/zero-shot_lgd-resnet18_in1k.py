# Zero-shot ImageNet-1k top-1/top-5 of an LGD ResNet-18 student through the
# TSB (logits = 100 * z_S L^T, paper Sec. 4.2):
#   python tools/test.py configs/benchmarks/zero-shot_lgd-resnet18_in1k.py \
#       work_dirs/lgd_clip-rn50_resnet18_8xb256-200e_in1k/epoch_200.pth
_base_ = [
    '../_base_/datasets/imagenet_bs64_clip-norm_eval.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='ZeroShotClassifier',
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='LGKANeck', in_channels=512),
    # RN50-quickgelu as the pre-training configs: OpenAI's weights were
    # trained with QuickGELU, and the name keeps the TSB right when
    # `pretrained` is swapped for a local OpenAI file (offline clusters).
    tsb=dict(type='TextualSemanticsBank',
             encoder=dict(type='OpenCLIPTextEncoder',
                          model_name='RN50-quickgelu', pretrained='openai'),
             classes='imagenet1k', templates='openai', use_tqdm=True),
    logit_scale=100.0)
