# Fashion-MNIST at 32 px (prepared by tools/dataset_converters/
# prepare_fashion_mnist.py into data/fashion_mnist/<split>/).
# Images are 28x28 grayscale; the data preprocessor's 3-value mean/std
# broadcasts the single channel to 3 identical ones. download=False: a
# missing split is an error naming the folder, never a download.
dataset_type = 'FashionMNIST'
fmnist_root = 'data/fashion_mnist/'
fmnist_mean = [72.94, 72.94, 72.94]   # 255 * 0.2860
fmnist_std = [90.02, 90.02, 90.02]    # 255 * 0.3530
data_preprocessor = dict(type='ClsDataPreprocessor', num_classes=10,
                         mean=fmnist_mean, std=fmnist_std, to_rgb=False)
train_pipeline = [
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.6, 1.0),
         backend='cv2'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='Resize', scale=(32, 32), backend='cv2'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=128, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=fmnist_root + 'teacher',
                 split='train', download=False, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=500, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=fmnist_root + 'test',
                 split='test', test_mode=True, download=False,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
val_cfg = dict()
test_cfg = dict()
