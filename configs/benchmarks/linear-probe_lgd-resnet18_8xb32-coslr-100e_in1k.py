# MOCO-STYLE PROTOCOL (not the paper's): linear probe on frozen LGD
# ResNet-18 features, 100% of ImageNet-1k labels, SGD lr 30 at batch 256,
# no weight decay, cosine over 100 epochs, no warm-up, CLIP mean/std. The
# paper's protocol, which this config modifies:
# linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py.
#   bash tools/dist_train.sh THIS_CONFIG 8 --cfg-options \
#       model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_200.pth
_base_ = './linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py'
clip_norm = dict(mean=[122.770938, 116.7460125, 104.09373615],
                 std=[68.5005327, 66.6321579, 70.32316305])
data_preprocessor = dict(num_classes=1000, **clip_norm)
train_dataloader = dict(batch_size=32, num_workers=5)
val_dataloader = dict(batch_size=32, num_workers=5)
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=30.))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, begin=0,
         end=100)
]
train_cfg = dict(val_interval=10)
auto_scale_lr = dict(base_batch_size=256)
