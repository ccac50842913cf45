# ImageNet-1k val for zero-shot evaluation, CLIP normalisation; resize as
# the authors' main_zscls.py: short edge 256 (bilinear), centre crop 224.
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
data_preprocessor = dict(
    type='ClsDataPreprocessor', num_classes=1000,
    mean=[122.770938, 116.7460125, 104.09373615],
    std=[68.5005327, 66.6321579, 70.32316305], to_rgb=True)
test_pipeline = [
    dict(type='StrictLoadImageFromFile'),  # errors name the bad file
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow',
         interpolation='bilinear'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
test_dataloader = dict(
    batch_size=64, num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='val',
                 pipeline=test_pipeline))
test_evaluator = dict(type='Accuracy', topk=(1, 5))
test_cfg = dict()
