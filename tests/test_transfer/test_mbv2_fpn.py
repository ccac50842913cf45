"""The authors' MobileNetV2-FPN Mask R-CNN (stages 2/4/6, 3 FPN levels at
strides 8-32, LeakyReLU(0.1)) builds and runs a training step."""
import os.path as osp

import pytest
import torch
from mmdet.testing import demo_mm_inputs
from mmengine.registry import MODELS
from mmengine.utils import import_modules_from_strings

from mmlgd.apis import load_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'mask_rcnn',
                  'mask-rcnn_random-mbv2_fpn_1x_coco.py')


def test_mbv2_fpn_levels_and_loss_step():
    cfg = load_config(CONFIG)
    import_modules_from_strings(**cfg.custom_imports)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    acts = {type(m).__name__ for m in model.backbone.modules()}
    assert 'LeakyReLU' in acts and 'ReLU6' not in acts
    x = torch.randn(1, 3, 96, 96)
    feats = model.backbone(x)
    assert [f.shape[1] for f in feats] == [32, 96, 320]
    assert [96 // f.shape[-1] for f in feats] == [8, 16, 32]
    levels = model.neck(feats)
    assert [96 // f.shape[-1] for f in levels] == [8, 16, 32]
    packed = demo_mm_inputs(1, [[3, 96, 96]], num_items=[2], num_classes=80,
                            with_mask=True)
    data = model.data_preprocessor(packed, True)
    losses = model(**data, mode='loss')
    total = sum(v.sum() if torch.is_tensor(v) else sum(v)
                for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    assert model.backbone.conv1.conv.weight.grad is not None


def test_transfer_mobilenet_v2_equals_mmpretrain_without_conv2():
    """Same outputs as mmpretrain's MobileNetV2 with the same weights; the
    unused conv2 (index 7) is not built unless an output needs it."""
    from mmpretrain.models import MobileNetV2

    from mmlgd.models import TransferMobileNetV2
    torch.manual_seed(0)
    full = MobileNetV2(out_indices=(1, 2, 4, 6))
    full.eval()  # (mmpretrain's train() returns None)
    for p in full.parameters():
        p.data.normal_(0, 0.1)
    trunc = TransferMobileNetV2(out_indices=(1, 2, 4, 6))
    trunc.eval()
    missing, unexpected = trunc.load_state_dict(full.state_dict(),
                                                strict=False)
    assert not missing
    assert {k.split('.')[0] for k in unexpected} == {'conv2'}
    assert trunc.unbuilt == ['conv2'] and not hasattr(trunc, 'conv2')
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(trunc(x), full(x)):
            torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert hasattr(TransferMobileNetV2(), 'conv2')  # default (7, ): all
    assert TransferMobileNetV2(out_indices=(2, 4)).layers[-1] == 'layer5'
    # frozen when built, i.e. before DDP registers the parameters
    # (mmpretrain's class freezes only in train())
    probe = TransferMobileNetV2(frozen_stages=7)
    assert all(p.requires_grad is n.startswith('conv2.')
               for n, p in probe.named_parameters())
    assert all(p.requires_grad
               for p in MobileNetV2(frozen_stages=7).parameters())
    with pytest.raises(ValueError, match='frozen_stages=7'):
        TransferMobileNetV2(out_indices=(2, 4), frozen_stages=7)
