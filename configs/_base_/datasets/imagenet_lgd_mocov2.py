# One MoCo v2 view per image, shared by teacher and student (LGD paper,
# Sec. 4.1), normalised with CLIP's mean/std.
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
clip_mean = [122.770938, 116.7460125, 104.09373615]  # 255 * CLIP mean
clip_std = [68.5005327, 66.6321579, 70.32316305]     # 255 * CLIP std
data_preprocessor = dict(
    type='SelfSupDataPreprocessor', mean=clip_mean, std=clip_std,
    to_rgb=True)

view_pipeline = [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.),
         backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0),
         magnitude_std='inf', prob=0.5),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='StrictLoadImageFromFile'),  # errors name the bad file
    dict(type='MultiView', num_views=1, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 pipeline=train_pipeline))

