# Zero-shot validation during LGD pre-training, as the authors' main.py:
# ImageNet val, short edge 256 bilinear, centre crop 224, CLIP mean/std
# (the model's data preprocessor); student (and, once, teacher) top-1/top-5
# through the TSB, every `train_cfg.val_interval` epochs. One view, since
# LGD's SelfSupDataPreprocessor takes a list of views. Needs a TSB in the
# val set's label order (`imagenet1k` here); configs with another text set
# switch it off (`val_cfg = None` etc.) or point it at their own data.
val_pipeline = [
    dict(type='StrictLoadImageFromFile'),
    dict(type='MultiView', num_views=1, transforms=[[
        dict(type='ResizeEdge', scale=256, edge='short', backend='pillow',
             interpolation='bilinear'),
        dict(type='CenterCrop', crop_size=224)]]),
    dict(type='PackInputs'),
]
val_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageNet', data_root='data/imagenet/', split='val',
                 pipeline=val_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
val_cfg = dict(type='ValLoop')
