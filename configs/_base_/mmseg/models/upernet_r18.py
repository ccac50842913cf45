# UperNet with mmpretrain's ResNet-18 (the LGD student class) as backbone:
# stages 64/128/256/512 channels, UPerHead with 512 channels, FCN auxiliary
# head on stage 3 (256 channels). mmseg's own R18 recipe uses ResNetV1c with
# a deep stem; the plain ResNet here is what LGD pre-trains, so its
# `backbone.*` keys load one to one. No init_cfg here (random init).
_base_ = 'mmseg::_base_/models/upernet_r50.py'

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,  # mmpretrain backbones take init_cfg, not `pretrained`
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ResNet',
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch'),
    decode_head=dict(in_channels=[64, 128, 256, 512], channels=512),
    auxiliary_head=dict(in_channels=256, in_index=2, channels=256))
