# LGD pre-training on YOUR images and YOUR category names (a template).
#
# The paper recipe of lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py
# (MobileNetV2 student, frozen CLIP RN50 teacher, TSB = your names x the 80
# OpenAI templates, 200 epochs, 8 GPUs x 256) on a folder of unlabelled
# images, with zero-shot validation (and tools/test.py) on a small labelled
# folder. README.md, "Using it", walks through the commands.
#
# Set the paths below in a child config of ~5 lines (README) or with
# --cfg-options on these fields:
#   train_dataloader.dataset.data_root   (train_root below)
#   val_dataloader.dataset.data_root     (val_root; test_dataloader too)
#   test_dataloader.dataset.data_root
#   model.tsb.classes                    (class_names)
#   model.target_generator.pretrained    (clip_weights)
#   model.tsb.encoder.pretrained         (clip_weights)
#   model.target_generator.model_config, model.tsb.encoder.model_config
#                                        (clip_model_config, if needed)
# (a top-level variable set with --cfg-options does not reach the fields
# built from it: set the fields).
_base_ = './lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py'

# ------------------------------------------------------------ your settings
# Unlabelled training images: every image file under this folder (any
# sub-folders, any image size; folder names are never read as labels).
train_root = 'data/my_task/unlabelled/'
# A small labelled set for zero-shot validation and tools/test.py: one
# sub-folder per category, named as in the names file.
val_root = 'data/my_task/val/'
# The category names, one per line: the TSB rows, i.e. the zero-shot classes.
class_names = 'data/my_task/names.txt'
# The CLIP teacher and the text encoder of the TSB: an open_clip model name
# and its weights, a local file (see README, "Offline machines") or a tag
# ('openai', downloaded). clip_model_config: an open_clip model JSON, for an
# architecture open_clip does not ship (None: open_clip's own).
clip_model = 'RN50-quickgelu'
clip_weights = 'checkpoints/clip-rn50-openai.bin'
clip_model_config = None
# Input size of student and teacher: 224 for CLIP RN50 (its attention pool
# is built for it). Every image is resized to it, whatever its own size.
crop_size = 224
# Top-k of the zero-shot accuracy (student and teacher): (1, ) with fewer
# than 5 categories.
val_topk = (1, 5)
# ---------------------------------------------------------------------------

clip_cfg = dict(model_name=clip_model, pretrained=clip_weights,
                model_config=clip_model_config)
model = dict(
    target_generator=clip_cfg,
    tsb=dict(classes=class_names, encoder=clip_cfg))

# The paper's MoCo v2 view at crop_size (one view, shared by teacher and
# student), from images of any size.
view_pipeline = [dict(t, scale=crop_size) if t['type'] == 'RandomResizedCrop'
                 else t for t in _base_.view_pipeline]
train_pipeline = [
    dict(type='StrictLoadImageFromFile'),  # errors name the bad file
    dict(type='MultiView', num_views=1, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=train_root,
                 with_label=False, pipeline=train_pipeline))

# Zero-shot evaluation view, as the paper's: short edge crop_size * 256 / 224
# (bilinear), centre crop crop_size. tools/infer.py and the ONNX export's
# metadata use the same view (mmlgd.deployment.inference_pipeline).
eval_pipeline = [
    dict(type='StrictLoadImageFromFile'),
    dict(type='MultiView', num_views=1, transforms=[[
        dict(type='ResizeEdge', scale=round(crop_size * 256 / 224),
             edge='short', backend='pillow', interpolation='bilinear'),
        dict(type='CenterCrop', crop_size=crop_size)]]),
    dict(type='PackInputs'),
]
val_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=val_root,
                 pipeline=eval_pipeline))
val_evaluator = dict(type='Accuracy', topk=val_topk)
test_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CustomDataset', data_root=val_root,
                 pipeline=eval_pipeline))
test_evaluator = val_evaluator
test_cfg = dict(type='TestLoop')
custom_hooks = [
    dict(h, topk=val_topk) if h['type'] == 'TeacherZeroShotHook' else h
    for h in _base_.custom_hooks]
