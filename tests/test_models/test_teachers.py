"""Teachers: frozen, eval, unit embeddings, input adaptation, clear errors."""
import glob
import re

import open_clip
import pytest
import torch
import torch.nn.functional as F
from _tiny_clip import (
    TINY_CLIP_CFG,
    tiny_teacher,
    tiny_text_encoder,
    write_tiny_clip,
)
from mmengine.runner import save_checkpoint
from mmpretrain.registry import MODELS

from mmlgd.models import InputAdapter
from mmlgd.models.teachers.input_adapter import clip_mean_std_255

CLIP_MEAN_255, CLIP_STD_255 = clip_mean_std_255()


def test_open_clip_teacher_matches_clip_encode_image(tiny_clip):
    name, _, weights = tiny_clip
    teacher = MODELS.build(tiny_teacher(tiny_clip))
    clip = open_clip.create_model(name, pretrained=weights).eval()
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        ref = F.normalize(clip.encode_image(x), dim=1)
    # pipeline == CLIP normalisation and size: the adapter is a no-op
    assert teacher.adapter.identity_norm
    torch.testing.assert_close(teacher(x), ref, atol=1e-5, rtol=1e-5)
    assert teacher.embed_dim == 32
    teacher.train()
    assert not teacher.training and not teacher.visual.training


def test_input_adapter_renormalises_and_resizes():
    mean, std = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
    ad = InputAdapter(mean, std, [m / 255 for m in CLIP_MEAN_255],
                      [s / 255 for s in CLIP_STD_255], size=16)
    raw = torch.rand(2, 3, 16, 16) * 255
    x = (raw - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(
        std).view(1, 3, 1, 1)
    want = (raw - torch.tensor(CLIP_MEAN_255).view(1, 3, 1, 1)) / \
        torch.tensor(CLIP_STD_255).view(1, 3, 1, 1)
    torch.testing.assert_close(ad(x), want, atol=1e-4, rtol=1e-4)
    assert ad(torch.zeros(1, 3, 32, 32)).shape == (1, 3, 16, 16)


def test_clip_mean_std_literals_in_configs():
    """Configs cannot import open_clip at parse time and write CLIP's
    mean/std out in 0-255 units: every such literal is open_clip's."""
    triple = r'\[\s*({})[0-9]*,\s*([0-9.]+),\s*([0-9.]+)\s*\]'
    found = 0
    from mmlgd.utils.configs import configs_root
    for path in glob.glob(f'{configs_root()}/**/*.py', recursive=True):
        text = open(path).read()
        for want, lead in ((CLIP_MEAN_255, '122.77'), (CLIP_STD_255,
                                                       '68.500')):
            for match in re.finditer(triple.format(re.escape(lead)), text):
                got = [float(v) for v in re.findall(r'[0-9.]+',
                                                    match.group(0))]
                assert got == pytest.approx(want, abs=1e-5), path
                found += 1
    # the LGD teacher/TSB and zero-shot configs and the MoCo-style probes
    # (8 today); every transfer config normalises with ImageNet's mean/std
    # (one normalisation per comparison, configs/upernet/README.md)
    assert found >= 8


def test_missing_teacher_file(tiny_clip):
    cfg = tiny_teacher(tiny_clip)
    cfg['pretrained'] = '/does/not/exist.pt'
    with pytest.raises(FileNotFoundError, match='does not exist'):
        MODELS.build(cfg)


def test_teacher_checkpoint_for_other_architecture(tiny_clip, tmp_path):
    other_cfg = dict(embed_dim=48, vision_cfg=dict(
        image_size=32, layers=[1, 1, 1, 1], width=16, patch_size=None),
        text_cfg=dict(context_length=77, vocab_size=49408, width=32,
                      heads=2, layers=1))
    _, other_weights = write_tiny_clip(str(tmp_path), name='mmlgd-tiny-rn-b',
                                       cfg=other_cfg)
    cfg = tiny_teacher(tiny_clip)
    cfg['pretrained'] = other_weights
    with pytest.raises(RuntimeError, match='does not match open_clip '
                       "architecture 'mmlgd-tiny-rn'"):
        MODELS.build(cfg)


def test_teacher_checkpoint_of_other_text_width(tiny_clip, tmp_path):
    # open_clip asserts ('text pos_embed width changed!') before
    # load_state_dict sees the mismatch: the error still names both
    other_cfg = dict(TINY_CLIP_CFG, text_cfg=dict(
        TINY_CLIP_CFG['text_cfg'], width=48))
    _, other_weights = write_tiny_clip(str(tmp_path), name='mmlgd-tiny-rn-w',
                                       cfg=other_cfg)
    cfg = tiny_teacher(tiny_clip)
    cfg['pretrained'] = other_weights
    with pytest.raises(RuntimeError) as err:
        MODELS.build(cfg)
    msg = str(err.value)
    assert f"Checkpoint {other_weights!r} does not match open_clip " \
        "architecture 'mmlgd-tiny-rn'" in msg
    assert 'text pos_embed width changed' in msg
    assert 'Use the model_name the weights were trained with' in msg


def text_aligned_classifier(tiny_clip, cache):
    return dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='TextAlignedClsHead', in_channels=512,
                  tsb=dict(type='TextualSemanticsBank',
                           encoder=tiny_text_encoder(tiny_clip),
                           classes=['a', 'b', 'c'], templates=['{}'],
                           cache_dir=cache)))


def test_text_aligned_head_and_teacher(tiny_clip, tsb_cache, tmp_path):
    torch.manual_seed(0)
    clf = MODELS.build(text_aligned_classifier(tiny_clip, tsb_cache))
    feats = clf.extract_feat(torch.randn(2, 3, 32, 32))
    z = clf.head.embed(feats)
    logits = clf.head(feats)
    torch.testing.assert_close(
        logits, clf.head.logit_scale.exp() * z @ clf.head.tsb.weight.T)
    assert clf.head.logit_scale.exp().item() == pytest.approx(1 / 0.07)
    assert 'head.tsb.weight' not in clf.state_dict()
    ckpt = str(tmp_path / 'teacher.pth')
    save_checkpoint({'state_dict': clf.state_dict(), 'meta': {}}, ckpt)
    cfg_dict = text_aligned_classifier(tiny_clip, tsb_cache)
    teacher = MODELS.build(dict(type='TextAlignedTeacher', config=cfg_dict,
                                checkpoint=ckpt))
    x = torch.randn(2, 3, 32, 32)
    clf.eval()
    torch.testing.assert_close(teacher(x),
                               clf.head.embed(clf.extract_feat(x)))
    assert teacher.embed_dim == 32 and not teacher.training

    wrong = text_aligned_classifier(tiny_clip, tsb_cache)
    wrong['backbone']['depth'] = 34
    with pytest.raises(RuntimeError, match='does not fit the teacher'):
        MODELS.build(dict(type='TextAlignedTeacher', config=wrong,
                          checkpoint=ckpt))
    with pytest.raises(FileNotFoundError, match='train the teacher first'):
        MODELS.build(dict(type='TextAlignedTeacher', config=cfg_dict,
                          checkpoint=str(tmp_path / 'none.pth')))


def test_fast_paths(tiny_clip):
    torch.manual_seed(0)
    x = torch.randn(4, 3, 32, 32)
    ref = MODELS.build(tiny_teacher(tiny_clip))(x)
    cl = MODELS.build(tiny_teacher(tiny_clip, channels_last=True))
    assert cl.visual.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    torch.testing.assert_close(cl(x), ref, atol=1e-5, rtol=1e-5)
    bf16 = MODELS.build(tiny_teacher(tiny_clip, autocast_dtype='bfloat16'))
    z = bf16(x)
    assert z.dtype == torch.float32
    assert F.cosine_similarity(z, ref).min() > 0.98
    with pytest.raises(ValueError, match='not a torch float dtype'):
        MODELS.build(tiny_teacher(tiny_clip, autocast_dtype='int8'))
