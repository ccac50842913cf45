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
