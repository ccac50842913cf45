# PAPER PROTOCOL, MobileNetV2 student:
# linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k-128shot.py with the LGD
# MobileNetV2 student (configs/_base_/models/mobilenet-v2_linear-probe.py).
_base_ = [
    './linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k-128shot.py',
    '../_base_/models/mobilenet-v2_linear-probe.py',
]
lgd_checkpoint = _base_.mnv2_checkpoint
model = dict(backbone=dict(_delete_=True, **_base_.mnv2_probe_backbone),
             head=dict(in_channels=1280))
optim_wrapper = dict(paramwise_cfg=_base_.mnv2_probe_paramwise)
