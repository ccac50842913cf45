# UperNet with mmpretrain's MobileNetV2 (widen 1.0, the LGD student class):
# stages 1, 2, 4, 6 give strides 4/8/16/32 with 24, 32, 96, 320 channels;
# FCN auxiliary head on the stride-16 stage (96 channels). The unused last
# 1x1 conv (`conv2`, index 7) is not built (TransferMobileNetV2): it would
# get no gradient and stop DDP at iteration 2. No init_cfg here.
_base_ = 'mmseg::_base_/models/upernet_r50.py'

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,  # mmpretrain backbones take init_cfg, not `pretrained`
    backbone=dict(
        _delete_=True,
        type='mmpretrain.TransferMobileNetV2',
        widen_factor=1.0,
        out_indices=(1, 2, 4, 6),
        norm_cfg=norm_cfg,
        norm_eval=False),
    decode_head=dict(in_channels=[24, 32, 96, 320], channels=512),
    auxiliary_head=dict(in_channels=96, in_index=2, channels=256))
