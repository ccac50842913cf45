"""The LGD algorithm: one training step wires teacher, student, TSB, VSB."""
import pytest
import torch
import torch.nn.functional as F
from _tiny_clip import tiny_teacher, tiny_text_encoder
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS

CLASSES = ['shirt', 'shoe', 'bag', 'coat']


def lgd_cfg(tiny_clip, cache, **head):
    return dict(
        type='LGD',
        backbone=dict(type='ResNet', depth=18),
        neck=dict(type='LGKANeck', in_channels=512, momentum=0.9),
        head=dict(type='LGDHead', **head),
        target_generator=tiny_teacher(tiny_clip),
        tsb=dict(type='TextualSemanticsBank',
                 encoder=tiny_text_encoder(tiny_clip), classes=CLASSES,
                 templates=['a photo of a {}.'], cache_dir=cache))


@pytest.fixture
def model(tiny_clip, tsb_cache):
    torch.manual_seed(0)
    return MODELS.build(lgd_cfg(tiny_clip, tsb_cache))


def batch(n=6):
    return dict(inputs=[torch.randint(0, 256, (n, 3, 32, 32)).float()],
                data_samples=None)


def test_neck_takes_tsb_shape(model):
    assert (model.neck.num_classes, model.neck.out_channels) == (4, 32)
    assert model.tsb.weight.shape == (4, 32)


def test_train_step_updates_student_and_vsb_not_teacher(model):
    optim = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1))
    teacher = {k: v.clone() for k, v in
               model.target_generator.state_dict().items()}
    student = model.backbone.conv1.weight.clone()
    vsb = model.neck.vsb.clone()
    model.train()
    assert not model.target_generator.training
    log = model.train_step(batch(), optim)
    assert {'loss', 'loss_tex', 'loss_vis', 'agree_tsb'} <= set(log)
    assert torch.isfinite(log['loss'])
    for p in model.target_generator.parameters():
        assert not p.requires_grad and p.grad is None
    for k, v in model.target_generator.state_dict().items():
        assert torch.equal(v, teacher[k]), k
    assert not torch.equal(model.backbone.conv1.weight, student)
    assert model.neck.vsb_initialized.any()
    changed = (model.neck.vsb != vsb).any(dim=1)
    assert torch.equal(changed, model.neck.vsb_initialized)


def test_no_autograd_graph_through_teacher(model):
    data = model.data_preprocessor(batch(), True)
    x = data['inputs'][0]
    model.train()
    z_t = model.target_generator(x)
    assert z_t.grad_fn is None and not z_t.requires_grad
    torch.testing.assert_close(z_t.norm(dim=1), torch.ones(len(x)))


def test_loss_uses_pre_update_vsb_and_same_view(model, monkeypatch):
    seen = {}
    real = model.head.loss

    def spy(z_s, z_t, tsb, vsb):
        seen['vsb'] = vsb.clone()
        seen['z_t'] = z_t
        return real(z_s, z_t, tsb, vsb)

    monkeypatch.setattr(model.head, 'loss', spy)
    before = model.neck.vsb.clone()
    data = model.data_preprocessor(batch(), True)
    model.train()
    model.loss(data['inputs'], None)
    assert torch.equal(seen['vsb'], before)
    x = data['inputs'][0]
    torch.testing.assert_close(seen['z_t'], model.target_generator(x))
    # the VSB update used exactly the teacher embeddings of this view
    labels = (seen['z_t'] @ model.tsb.weight.T).argmax(1)
    for k in labels.unique():
        mean = seen['z_t'][labels == k].mean(0)
        torch.testing.assert_close(model.neck.vsb[k], mean)


def test_checkpoint_has_no_teacher_and_loads_strictly(model, tiny_clip,
                                                      tsb_cache):
    model.train()
    model.loss(model.data_preprocessor(batch(), True)['inputs'], None)
    sd = model.state_dict()
    assert not any(k.startswith('target_generator.') for k in sd)
    assert {'neck.vsb', 'neck.vsb_initialized'} <= set(sd)
    assert any(k.startswith('backbone.') for k in sd)
    fresh = MODELS.build(lgd_cfg(tiny_clip, tsb_cache))
    fresh.load_state_dict(sd, strict=True)
    assert torch.equal(fresh.neck.vsb, model.neck.vsb)
    assert torch.equal(fresh.backbone.conv1.weight,
                       model.backbone.conv1.weight)


def test_tsb_teacher_dim_mismatch_is_clear(tiny_clip, tsb_cache):
    cfg = lgd_cfg(tiny_clip, tsb_cache)
    cfg['tsb']['encoder'] = dict(type='SentenceTransformerTextEncoder')
    with pytest.raises(ValueError, match='TSB dimension 384 != teacher '
                       'embedding dimension 32'):
        MODELS.build(cfg)


def test_neck_shape_mismatch_is_clear(tiny_clip, tsb_cache):
    cfg = lgd_cfg(tiny_clip, tsb_cache)
    cfg['neck']['num_classes'] = 7
    with pytest.raises(ValueError, match='does not match the TSB'):
        MODELS.build(cfg)


def test_image_only_ablation_matches_head(model):
    z = F.normalize(torch.randn(3, 32), dim=1)
    out = MODELS.build(dict(type='LGDHead', w_tex=0.0)).loss(
        z, z, model.tsb.weight, model.neck.vsb)
    assert set(out) == {'loss_vis', 'agree_tsb'}


def _by_hand_scores(model, x, encoder):
    """softmax(100 * z L^T) with z computed layer by layer."""
    if encoder == 'student':
        feat = model.backbone(x)[-1].mean(dim=(2, 3))
        p = model.neck.projector
        z = p[2](torch.relu(p[0](feat)))
        z = z / z.norm(dim=1, keepdim=True)
    else:
        z = model.target_generator(x)
    return torch.softmax(100.0 * z @ model.tsb.weight.T, dim=1)


def test_val_step_is_student_zero_shot_through_tsb(model):
    """mmengine's ValLoop calls val_step -> forward(mode='predict')."""
    from mmpretrain.structures import DataSample
    data = batch(4)
    data['data_samples'] = [DataSample().set_gt_label(i % 4)
                            for i in range(4)]
    model.eval()
    out = model.val_step(data)
    x = model.data_preprocessor(data, False)['inputs'][0]
    with torch.no_grad():
        expected = _by_hand_scores(model, x, 'student')
    scores = torch.stack([ds.pred_score for ds in out])
    torch.testing.assert_close(scores, expected)
    assert [int(ds.pred_label) for ds in out] == expected.argmax(1).tolist()
    assert [int(ds.gt_label) for ds in out] == [0, 1, 2, 3]
    assert not any('teacher_pred_score' in ds for ds in out)


def test_predict_teacher_flag_adds_teacher_scores(model):
    x = model.data_preprocessor(batch(3), False)['inputs'][0]
    model.eval()
    model.predict_teacher = True
    out = model.predict([x])
    with torch.no_grad():
        expected = _by_hand_scores(model, x, 'teacher')
    torch.testing.assert_close(
        torch.stack([ds.teacher_pred_score for ds in out]), expected)
    # and the student's scores are still the student's
    with torch.no_grad():
        student = _by_hand_scores(model, x, 'student')
    torch.testing.assert_close(torch.stack([ds.pred_score for ds in out]),
                               student)
