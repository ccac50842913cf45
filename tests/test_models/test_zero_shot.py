"""Zero-shot classification through the TSB."""
import pytest
import torch
from _tiny_clip import tiny_teacher, tiny_text_encoder
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


def tsb(tiny_clip, cache):
    return dict(type='TextualSemanticsBank',
                encoder=tiny_text_encoder(tiny_clip),
                classes=['a', 'b', 'c'], templates=['{}'], cache_dir=cache)


def student(tiny_clip, cache):
    return dict(type='ZeroShotClassifier', tsb=tsb(tiny_clip, cache),
                backbone=dict(type='ResNet', depth=18),
                neck=dict(type='LGKANeck', in_channels=512))


def test_student_predictions_equal_softmax_of_scaled_cosine(tiny_clip,
                                                            tsb_cache):
    torch.manual_seed(0)
    model = MODELS.build(student(tiny_clip, tsb_cache)).eval()
    x = torch.randn(4, 3, 32, 32)
    z = model.neck(model.backbone(x))
    logits = 100.0 * z @ model.tsb.weight.T
    torch.testing.assert_close(model(x), logits)
    samples = model.predict(x, [DataSample() for _ in range(4)])
    for s, row in zip(samples, logits):
        torch.testing.assert_close(s.pred_score, torch.softmax(row, 0))
        assert s.pred_label.item() == int(row.argmax())


def test_teacher_zero_shot(tiny_clip, tsb_cache):
    model = MODELS.build(dict(type='ZeroShotClassifier',
                              tsb=tsb(tiny_clip, tsb_cache),
                              image_encoder=tiny_teacher(tiny_clip)))
    x = torch.randn(2, 3, 32, 32)
    want = 100.0 * model.image_encoder(x) @ model.tsb.weight.T
    torch.testing.assert_close(model(x), want)


def test_lgd_checkpoint_keys_load_and_missing_keys_raise(tiny_clip,
                                                        tsb_cache):
    model = MODELS.build(student(tiny_clip, tsb_cache))
    sd = {k: v.clone() + 1 if v.is_floating_point() else v
          for k, v in model.state_dict().items()}
    other = MODELS.build(student(tiny_clip, tsb_cache))
    other.load_state_dict(sd, strict=False)
    assert torch.equal(other.neck.vsb, sd['neck.vsb'])
    partial = {k: v for k, v in sd.items() if not k.startswith('backbone.')}
    with pytest.raises(RuntimeError, match='lacks .* student keys'):
        other.load_state_dict(partial, strict=False)


def test_needs_exactly_one_encoder(tiny_clip, tsb_cache):
    with pytest.raises(ValueError, match='either backbone'):
        MODELS.build(dict(type='ZeroShotClassifier',
                          tsb=tsb(tiny_clip, tsb_cache)))


def test_seed_student_zero_shot_through_plain_projector(tiny_clip,
                                                        tsb_cache):
    """A SEED checkpoint (projector, no VSB) evaluates zero-shot with
    ``neck=StudentProjector``: the neck gets the TSB's D, no K, and the
    student's weights are the SEED run's."""
    seed = MODELS.build(dict(
        type='SEED', backbone=dict(type='ResNet', depth=18),
        neck=dict(type='StudentProjector', in_channels=512),
        head=dict(type='SEEDHead'), target_generator=tiny_teacher(tiny_clip),
        queue=dict(type='EmbeddingQueue', size=8)))
    model = MODELS.build(dict(
        type='ZeroShotClassifier', tsb=tsb(tiny_clip, tsb_cache),
        backbone=dict(type='ResNet', depth=18),
        neck=dict(type='StudentProjector', in_channels=512)))
    model.load_state_dict(seed.state_dict(), strict=False)
    model.eval(), seed.eval()
    x = torch.randn(2, 3, 32, 32)
    want = 100.0 * seed.embed(x) @ model.tsb.weight.T
    torch.testing.assert_close(model(x), want)


def test_other_text_set_checkpoint_loads_without_vsb_warning(tiny_clip,
                                                             tsb_cache):
    """Issue 20.7: a student trained over 5 names (VSB 5 x D) evaluated over
    3 loads with no size mismatch (the VSB is unused at zero-shot time);
    a checkpoint of another student is still refused."""
    from mmengine.runner.checkpoint import load_state_dict
    other = dict(student(tiny_clip, tsb_cache),
                 tsb=dict(tsb(tiny_clip, tsb_cache),
                          classes=['v', 'w', 'x', 'y', 'z']))
    trained = MODELS.build(other).state_dict()
    assert trained['neck.vsb'].shape[0] == 5
    model = MODELS.build(student(tiny_clip, tsb_cache))
    own_vsb = model.neck.vsb.clone()
    load_state_dict(model, trained, strict=True)  # raises on any mismatch
    assert torch.equal(model.neck.vsb, own_vsb)
    key = 'backbone.conv1.weight'
    assert torch.equal(model.state_dict()[key], trained[key])
    wrong = dict(trained, **{key: torch.zeros(8, 3, 7, 7)})
    with pytest.raises(RuntimeError, match='size mismatch for backbone'):
        load_state_dict(MODELS.build(student(tiny_clip, tsb_cache)), wrong,
                        strict=True)
