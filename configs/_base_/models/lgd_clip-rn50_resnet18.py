# LGD: CLIP RN50 teacher (1024-d), ResNet-18 student, ImageNet-1k TSB with
# the 80 OpenAI templates (paper defaults, Sec. 4.1).
model = dict(
    type='LGD',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[122.770938, 116.7460125, 104.09373615],
        std=[68.5005327, 66.6321579, 70.32316305],
        to_rgb=True),
    backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN')),
    # num_classes (K) and out_channels (D) default to the TSB's shape.
    neck=dict(type='LGKANeck', in_channels=512, momentum=0.999),
    head=dict(type='LGDHead', student_temp=0.2, teacher_temp=0.01,
              w_tex=0.5, w_vis=0.5,
              loss=dict(type='CrossEntropyLoss', use_soft=True)),
    # channels_last: 1.3x teacher forward on CPU (docs/benchmark.md); under
    # AMP the teacher runs in the optimizer wrapper's autocast as well.
    # RN50-quickgelu: OpenAI's weights were trained with QuickGELU; the
    # name keeps it right when `pretrained` is swapped for a local file.
    target_generator=dict(type='OpenCLIPVisionTeacher',
                          model_name='RN50-quickgelu', pretrained='openai',
                          channels_last=True),
    tsb=dict(type='TextualSemanticsBank',
             encoder=dict(type='OpenCLIPTextEncoder',
                          model_name='RN50-quickgelu', pretrained='openai'),
             classes='imagenet1k', templates='openai', use_tqdm=True))
