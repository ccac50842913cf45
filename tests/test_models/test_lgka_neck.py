"""LGKA (VSB update) against a per-category reference written from the
paper's equations (LGD_METHOD.md, 'Language-Guided Knowledge Aggregation')."""
import pytest
import torch
import torch.nn.functional as F

from mmlgd.models import LGKANeck


def reference_update(vsb, initialized, z_t, tsb, mu):
    """Plain per-category loop, float64."""
    vsb = vsb.double().clone()
    initialized = initialized.clone()
    z_t = z_t.double()
    labels = [int(torch.argmax(z_t[i] @ tsb.double().T))
              for i in range(z_t.shape[0])]
    for k in range(vsb.shape[0]):
        members = [z_t[i] for i in range(z_t.shape[0]) if labels[i] == k]
        if not members:
            continue
        m = sum(members) / len(members)
        vsb[k] = mu * vsb[k] + (1 - mu) * m if initialized[k] else m
        initialized[k] = True
    return vsb, initialized, labels


def unit(*shape):
    return F.normalize(torch.randn(*shape), dim=-1)


@pytest.mark.parametrize('mu', [0.0, 0.9, 0.999])
def test_update_matches_reference_over_steps(mu):
    torch.manual_seed(0)
    K, D, B = 7, 16, 12
    neck = LGKANeck(in_channels=8, out_channels=D, num_classes=K,
                    momentum=mu)
    tsb = unit(K, D)
    # Steer samples to a subset of categories so some stay absent.
    vsb, init = neck.vsb.clone(), neck.vsb_initialized.clone()
    for step in range(4):
        z_t = F.normalize(tsb[torch.randint(0, 4, (B, ))] +
                          0.05 * torch.randn(B, D), dim=1)
        ref_vsb, ref_init, ref_labels = reference_update(
            vsb, init, z_t, tsb, mu)
        labels = neck.update_vsb(z_t, tsb)
        assert labels.tolist() == ref_labels
        assert torch.equal(neck.vsb_initialized, ref_init)
        torch.testing.assert_close(neck.vsb.double(), ref_vsb, atol=1e-6,
                                   rtol=0)
        vsb, init = ref_vsb.float(), ref_init
    # categories 4..6 never received a sample: untouched random unit rows
    assert not neck.vsb_initialized[4:].any()
    torch.testing.assert_close(neck.vsb[4:].norm(dim=1), torch.ones(3))


def test_first_write_then_ema_by_hand():
    K, D = 3, 2
    neck = LGKANeck(in_channels=4, out_channels=D, num_classes=K,
                    momentum=0.5)
    tsb = torch.eye(3, 2)  # rows e0, e1, (0, 0)
    before = neck.vsb.clone()
    z1 = torch.tensor([[1.0, 0.0], [0.8, 0.6]])   # both -> class 0
    neck.update_vsb(z1, tsb)
    torch.testing.assert_close(neck.vsb[0], torch.tensor([0.9, 0.3]))
    torch.testing.assert_close(neck.vsb[1:], before[1:])
    assert neck.vsb_initialized.tolist() == [True, False, False]
    z2 = torch.tensor([[0.0, 1.0], [0.8, 0.6]])   # class 1, class 0
    neck.update_vsb(z2, tsb)
    # class 0: 0.5 * (0.9, 0.3) + 0.5 * (0.8, 0.6); class 1: first write
    torch.testing.assert_close(neck.vsb[0], torch.tensor([0.85, 0.45]))
    torch.testing.assert_close(neck.vsb[1], torch.tensor([0.0, 1.0]))
    torch.testing.assert_close(neck.vsb[2], before[2])


def test_forward_shape_unit_norm_and_pooling():
    torch.manual_seed(0)
    neck = LGKANeck(in_channels=8, out_channels=5, num_classes=3)
    feats = torch.randn(4, 8, 3, 3)
    z = neck((torch.randn(4, 2, 6, 6), feats))
    assert z.shape == (4, 5)
    torch.testing.assert_close(z.norm(dim=1), torch.ones(4))
    pooled = feats.mean(dim=(2, 3))
    torch.testing.assert_close(z, F.normalize(neck.projector(pooled), dim=1))
    assert isinstance(neck.projector[0], torch.nn.Linear)
    assert neck.projector[0].out_features == 8  # hidden = in_channels


def test_banks_are_saved_and_restored():
    neck = LGKANeck(in_channels=4, out_channels=3, num_classes=2)
    neck.update_vsb(unit(5, 3), unit(2, 3))
    sd = neck.state_dict()
    assert {'vsb', 'vsb_initialized'} <= set(sd)
    other = LGKANeck(in_channels=4, out_channels=3, num_classes=2)
    other.load_state_dict(sd)
    assert torch.equal(other.vsb, neck.vsb)
    assert torch.equal(other.vsb_initialized, neck.vsb_initialized)


def test_update_keeps_old_bank_for_backward():
    """The loss of a step uses the pre-update bank; updating must not break
    its backward pass (no in-place write to a saved tensor)."""
    neck = LGKANeck(in_channels=4, out_channels=3, num_classes=2)
    z_s = F.normalize(torch.randn(5, 3, requires_grad=True), dim=1)
    old = neck.vsb
    loss = (z_s @ neck.vsb.T).sum()
    neck.update_vsb(unit(5, 3), unit(2, 3))
    loss.backward()
    assert neck.vsb is not old


@pytest.mark.parametrize('kwargs, match', [
    (dict(momentum=1.0), 'momentum'),
    (dict(num_classes=0), 'positive'),
])
def test_bad_arguments(kwargs, match):
    args = dict(in_channels=4, out_channels=3, num_classes=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        LGKANeck(**args)


def test_pre_projector_mobilenet_v3_head_from_equations():
    """MobileNetV3-Large head of the authors' student: Linear(c, 1280) -
    h-swish - Dropout(0.2) before the projector MLP."""
    torch.manual_seed(0)
    neck = LGKANeck(in_channels=12, out_channels=6, num_classes=3,
                    pre_channels=20, dropout=0.2).eval()
    lin, _, drop = neck.pre_projector
    assert (lin.in_features, lin.out_features) == (12, 20)
    assert drop.p == 0.2
    assert neck.projector[0].in_features == 20
    assert neck.projector[0].out_features == 20  # hidden = pre_channels
    assert lin.weight.std().item() == pytest.approx(0.01, rel=0.2)
    assert torch.equal(lin.bias, torch.zeros(20))
    x = torch.randn(4, 12, 3, 3)
    pooled = x.mean(dim=(2, 3))
    h = pooled @ lin.weight.T + lin.bias
    h = h * torch.clamp(h + 3, 0, 6) / 6  # h-swish
    p0, p2 = neck.projector[0], neck.projector[2]
    z = torch.relu(h @ p0.weight.T + p0.bias) @ p2.weight.T + p2.bias
    torch.testing.assert_close(neck(x), F.normalize(z, dim=1))


def test_pre_projector_dropout_only_train_mode():
    torch.manual_seed(0)
    neck = LGKANeck(in_channels=64, out_channels=8, num_classes=3,
                    dropout=0.5)
    assert isinstance(neck.pre_projector, torch.nn.Sequential)
    assert [type(m).__name__ for m in neck.pre_projector] == ['Dropout']
    x = torch.randn(2, 64)
    neck.train()
    dropped = neck.pre_projector(x)
    zeros = (dropped == 0).float().mean().item()
    assert 0.2 < zeros < 0.8
    kept = dropped != 0
    torch.testing.assert_close(dropped[kept], 2 * x[kept])  # 1 / (1 - p)
    neck.eval()
    assert torch.equal(neck.pre_projector(x), x)


def test_default_has_no_pre_projector_and_same_keys():
    neck = LGKANeck(in_channels=8, out_channels=4, num_classes=2)
    assert isinstance(neck.pre_projector, torch.nn.Identity)
    assert not any(k.startswith('pre_projector')
                   for k in neck.state_dict())


@pytest.mark.parametrize('kwargs', [dict(dropout=1.0), dict(dropout=-0.1),
                                    dict(pre_channels=-4)])
def test_pre_projector_bad_args(kwargs):
    with pytest.raises(ValueError, match='dropout|sizes'):
        LGKANeck(in_channels=8, out_channels=4, num_classes=2, **kwargs)
