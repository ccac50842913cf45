"""LGD loss terms against values computed independently from the paper's
equations (LGD_METHOD.md, 'Language-aware knowledge transfer')."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmlgd.models import LGDHead


def soft_ce_by_hand(s, t):
    """-(1/B) sum_i sum_k t_ik log softmax(s_i)_k, float64, explicit."""
    s, t = s.double(), t.double()
    total = 0.0
    for i in range(s.shape[0]):
        log_z = math.log(sum(math.exp(v) for v in s[i].tolist()))
        total -= sum(t[i, k].item() * (s[i, k].item() - log_z)
                     for k in range(s.shape[1]))
    return total / s.shape[0]


def softmax_by_hand(row):
    m = max(row)
    e = [math.exp(v - m) for v in row]
    return [v / sum(e) for v in e]


@pytest.fixture
def batch():
    torch.manual_seed(0)
    B, K, D = 5, 6, 8
    z_s = F.normalize(torch.randn(B, D), dim=1)
    z_t = F.normalize(torch.randn(B, D), dim=1)
    tsb = F.normalize(torch.randn(K, D), dim=1)
    vsb = torch.randn(K, D) * 0.5   # VSB rows need not be unit
    return z_s, z_t, tsb, vsb


def expected_terms(z_s, z_t, tsb, vsb, tau_s, tau_t):
    zs, zt, L, V = (x.double() for x in (z_s, z_t, tsb, vsb))
    s_tex = zs @ L.T / tau_s
    t_tex = torch.tensor([softmax_by_hand((r / tau_t).tolist())
                          for r in zt @ L.T], dtype=torch.float64)
    s_vis = torch.cat([(zs * zt).sum(1, keepdim=True), zs @ V.T], 1) / tau_s
    t_vis = torch.tensor(
        [softmax_by_hand(([1.0] + (r / 1.0).tolist()))
         for r in (zt @ V.T)], dtype=torch.float64)
    # recompute t_vis with the temperature explicitly
    t_vis = torch.tensor(
        [softmax_by_hand([1.0 / tau_t] + (r / tau_t).tolist())
         for r in (zt @ V.T)], dtype=torch.float64)
    return soft_ce_by_hand(s_tex, t_tex), soft_ce_by_hand(s_vis, t_vis)


@pytest.mark.parametrize('tau_s, tau_t', [(0.2, 0.01), (0.5, 0.1)])
def test_loss_terms_match_equations(batch, tau_s, tau_t):
    z_s, z_t, tsb, vsb = batch
    head = LGDHead(student_temp=tau_s, teacher_temp=tau_t, w_tex=0.5,
                   w_vis=0.5)
    out = head.loss(z_s, z_t, tsb, vsb)
    ce_tex, ce_vis = expected_terms(z_s, z_t, tsb, vsb, tau_s, tau_t)
    assert out['loss_tex'].item() == pytest.approx(0.5 * ce_tex, abs=1e-6)
    assert out['loss_vis'].item() == pytest.approx(0.5 * ce_vis, abs=1e-6)
    agree = ((z_s @ tsb.T).argmax(1) == (z_t @ tsb.T).argmax(1)).float()
    assert out['agree_tsb'].item() == pytest.approx(agree.mean().item())


def test_weights_and_ablations(batch):
    z_s, z_t, tsb, vsb = batch
    full = LGDHead(w_tex=1.0, w_vis=1.0).loss(z_s, z_t, tsb, vsb)
    weighted = LGDHead(w_tex=0.25, w_vis=2.0).loss(z_s, z_t, tsb, vsb)
    assert weighted['loss_tex'].item() == pytest.approx(
        0.25 * full['loss_tex'].item(), rel=1e-6)
    assert weighted['loss_vis'].item() == pytest.approx(
        2.0 * full['loss_vis'].item(), rel=1e-6)
    image_only = LGDHead(w_tex=0.0, w_vis=0.5).loss(z_s, z_t, tsb, vsb)
    text_only = LGDHead(w_tex=0.5, w_vis=0.0).loss(z_s, z_t, tsb, vsb)
    assert 'loss_tex' not in image_only and 'loss_vis' in image_only
    assert 'loss_vis' not in text_only and 'loss_tex' in text_only


def test_gradient_flows_to_student_only(batch):
    z_s, z_t, tsb, vsb = batch
    z_s = z_s.clone().requires_grad_(True)
    out = LGDHead().loss(z_s, z_t, tsb, vsb)
    (out['loss_tex'] + out['loss_vis']).backward()
    assert z_s.grad is not None and z_s.grad.abs().sum() > 0


def test_student_matching_teacher_minimises_textual_term(batch):
    _, z_t, tsb, vsb = batch
    head = LGDHead(student_temp=0.01, teacher_temp=0.01)
    same = head.loss(z_t, z_t, tsb, vsb)['loss_tex']
    other = head.loss(F.normalize(torch.randn_like(z_t), dim=1), z_t, tsb,
                      vsb)['loss_tex']
    assert same < other


@pytest.mark.parametrize('kwargs', [dict(student_temp=0.0),
                                    dict(w_tex=0.0, w_vis=0.0),
                                    dict(w_vis=-1.0)])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        LGDHead(**kwargs)
