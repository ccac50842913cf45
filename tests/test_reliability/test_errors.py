"""Clear, early errors: each message names the problem and the fix."""
import os.path as osp
import shutil
from pathlib import Path

import _tiny_lgd as tl
import numpy as np
import pytest
import torch
from _tiny_clip import TINY_CLIP_CFG
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.registry import MODELS

import mmlgd  # noqa: F401  registers modules
from mmlgd.datasets import StrictLoadImageFromFile
from mmlgd.engine.hooks import FiniteLossHook
from mmlgd.models import (
    LGDHead,
    OpenCLIPVisionTeacher,
    TextAlignedTeacher,
    TextualSemanticsBank,
)

WIDE = 'mmlgd-tiny-rn-wide'  # same family, other widths, 48-d embeddings
WIDE_CFG = dict(TINY_CLIP_CFG, embed_dim=48,
                vision_cfg=dict(TINY_CLIP_CFG['vision_cfg'], width=16))


@pytest.fixture(scope='module')
def wide_clip(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('wide_clip'))
    cfg_path, weights = tl.write_tiny_clip(root, name=WIDE, cfg=WIDE_CFG)
    return WIDE, cfg_path, weights


def _missing_encoder(tmp_path):
    """An encoder that fails if it is ever built (to prove errors come
    before any model is loaded)."""
    return dict(type='OpenCLIPTextEncoder', model_name='RN50',
                pretrained=str(tmp_path / 'never' / 'built.pt'))


def test_empty_category_list(tmp_path):
    empty_file = tmp_path / 'classes.txt'
    empty_file.write_text('\n  \n')
    for classes in ([], str(empty_file)):
        with pytest.raises(ValueError) as err:
            TextualSemanticsBank(encoder=_missing_encoder(tmp_path),
                                 classes=classes, cache_dir=None)
        assert 'empty' in str(err.value)
        assert 'at least one non-empty category name' in str(err.value)
    assert str(empty_file) in str(err.value)


def test_duplicate_category_names(tmp_path):
    with pytest.raises(ValueError) as err:
        TextualSemanticsBank(encoder=_missing_encoder(tmp_path),
                             classes=['cat', 'dog', 'cat', 'dog ', 'cup'],
                             cache_dir=None)
    msg = str(err.value)
    assert "Duplicate category names in the class list: ['cat', 'dog']" \
        in msg
    assert 'remove repeats' in msg


def _lgd_cfg(teacher, encoder, cache_dir):
    return dict(
        type='LGD', backbone=dict(type='ResNet', depth=18, base_channels=8,
                                  stem_channels=8),
        neck=dict(type='LGKANeck', in_channels=64), head=dict(type='LGDHead'),
        target_generator=teacher,
        tsb=dict(type='TextualSemanticsBank', encoder=encoder,
                 classes=tl.CLASSES, templates=tl.TEMPLATES,
                 cache_dir=cache_dir))


def test_tsb_dim_differs_from_teacher(tiny_clip, wide_clip, tmp_path):
    cfg = _lgd_cfg(tl.tiny_teacher(tiny_clip), tl.tiny_text_encoder(wide_clip),
                   str(tmp_path))
    with pytest.raises(ValueError) as err:
        MODELS.build(cfg)
    msg = str(err.value)
    assert 'TSB dimension 48 != teacher embedding dimension 32' in msg
    assert "share the teacher's space" in msg


def test_missing_teacher_checkpoint(tiny_clip, tmp_path):
    missing = str(tmp_path / 'no' / 'teacher.pt')
    name, cfg_path, _ = tiny_clip
    teacher = dict(type='OpenCLIPVisionTeacher', model_name=name,
                   pretrained=missing, model_config=cfg_path)
    # through the registry, as a config builds it, after the TSB exists
    with pytest.raises(FileNotFoundError) as err:
        MODELS.build(_lgd_cfg(teacher, tl.tiny_text_encoder(tiny_clip),
                              str(tmp_path)))
    assert f'Teacher checkpoint {missing!r} does not exist' in str(err.value)
    assert 'fix the path' in str(err.value)
    # a text-aligned teacher: refused before its classifier is built
    classifier = dict(type='ImageClassifier',
                      backbone=dict(type='NoSuchBackbone'))
    with pytest.raises(FileNotFoundError, match='train the teacher first'):
        TextAlignedTeacher(config=classifier, checkpoint=missing)


def test_teacher_checkpoint_of_other_architecture(tiny_clip, wide_clip):
    name, cfg_path, _ = tiny_clip
    with pytest.raises(RuntimeError) as err:
        OpenCLIPVisionTeacher(model_name=name, pretrained=wide_clip[2],
                              model_config=cfg_path)
    msg = str(err.value)
    assert f'{wide_clip[2]!r} does not match open_clip architecture ' \
        f'{name!r}' in msg
    assert 'size mismatch' in msg
    assert 'Use the model_name the weights were trained with' in msg


def _bank(encoder, cache_dir, classes=tl.CLASSES):
    return TextualSemanticsBank(encoder=encoder, classes=list(classes),
                                templates=tl.TEMPLATES, cache_dir=cache_dir)


class _Payload:
    """Creates ``marker`` if it is ever unpickled by a full unpickler."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_tsb_cache_never_silently_reused(tiny_clip, tmp_path):
    cache = str(tmp_path / 'cache')
    encoder = tl.tiny_text_encoder(tiny_clip)
    other_weights = tl.write_tiny_clip(str(tmp_path / 'other'), seed=1)[1]
    other_encoder = dict(encoder, pretrained=other_weights)
    reference = _bank(encoder, None).weight
    bank = _bank(encoder, cache)
    path = bank.cache_path
    torch.testing.assert_close(bank.weight, reference, atol=0, rtol=0)

    other_classes = _bank(encoder, cache, classes=tl.CLASSES[::-1])
    other_model = _bank(other_encoder, cache)
    assert len({path, other_classes.cache_path, other_model.cache_path}) == 3
    assert not torch.allclose(other_model.weight, reference)
    marker = str(tmp_path / 'executed')

    def crafted(p):
        torch.save(dict(key=bank.key, classes=bank.classes,
                        tsb=_Payload(marker)), p)

    replacements = {
        'other classes': lambda p: shutil.copy(other_classes.cache_path, p),
        'other encoder': lambda p: shutil.copy(other_model.cache_path, p),
        'truncated': lambda p: Path(p).write_bytes(Path(p).read_bytes()[:99]),
        'crafted pickle': crafted,
    }
    for what, replace in replacements.items():
        replace(path)  # a wrong file under this bank's key
        rebuilt = _bank(encoder, cache)
        assert rebuilt.cache_path == path
        torch.testing.assert_close(rebuilt.weight, reference, atol=0, rtol=0,
                                   msg=what)
        entry = torch.load(path, weights_only=True)  # rewritten correctly
        assert entry['key'] == bank.key, what
        torch.testing.assert_close(entry['tsb'], reference, atol=0, rtol=0)
    assert not osp.exists(marker), 'the crafted pickle was executed'


def test_corrupt_or_missing_image_is_named(tmp_path):
    good = tl.write_images(str(tmp_path), 1)[0]
    with open(good, 'rb') as f:
        data = f.read()
    bad = {'empty.png': b'', 'garbage.png': b'not an image' * 8,
           'truncated.png': data[:len(data) // 2]}
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(OSError) as err:
            StrictLoadImageFromFile()(dict(img_path=str(tmp_path / name)))
        assert str(tmp_path / name) in str(err.value)
        assert 'Replace or delete it' in str(err.value)
        assert StrictLoadImageFromFile(ignore_empty=True)(
            dict(img_path=str(tmp_path / name))) is None
    with pytest.raises(FileNotFoundError, match='missing.png.*does not '
                       'exist.*fix the path.*data root'):
        StrictLoadImageFromFile()(dict(img_path=str(tmp_path / 'missing.png')))
    # the paper configs load their images with it
    cfg = Config.fromfile(osp.join(tl.REPO, 'configs', 'lgd',
                                   'lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'))
    assert cfg.train_dataloader.dataset.pipeline[0].type == \
        'StrictLoadImageFromFile'


def test_negative_hue_jitter_does_not_crash():
    """mmcv 2.1 + numpy 2: ``np.uint8(-25.5)`` raised OverflowError in
    ``adjust_hue``, i.e. in the paper's ColorJitter(hue=0.1)."""
    import mmcv
    from PIL import Image
    img = np.random.default_rng(0).integers(0, 256, (8, 8, 3), np.uint8)
    out = mmcv.adjust_hue(img, -0.1, backend='pillow')
    h, s, v = Image.fromarray(img[..., ::-1]).convert('HSV').split()
    h = Image.fromarray(((np.asarray(h, int) - 25) % 256).astype(np.uint8))
    ref = np.asarray(Image.merge('HSV', (h, s, v)).convert('RGB'))
    assert np.array_equal(out, ref[..., ::-1])  # numpy 1's wrap-around
    assert mmcv.adjust_hue(img, -0.1, backend='cv2').shape == img.shape


def _runner(tiny_clip, tmp_path, data, name, **overrides):
    path = tl.write_lgd_config(str(tmp_path / f'{name}.py'), tiny_clip, data,
                               str(tmp_path / 'tsb'), **overrides)
    cfg = Config.fromfile(path)
    cfg.update(work_dir=str(tmp_path / name), experiment_name=f'err_{name}',
               log_level='WARNING')
    return Runner.from_cfg(cfg)


@pytest.mark.e2e
def test_corrupt_image_stops_training_naming_it(tiny_clip, tmp_path,
                                                one_thread):
    data = str(tmp_path / 'data')
    tl.write_images(data, 3)
    corrupt = osp.join(data, 'img_zzz.png')
    with open(corrupt, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + b'\x00' * 32)
    runner = _runner(tiny_clip, tmp_path, data, 'corrupt',
                     train_cfg=dict(type='IterBasedTrainLoop', max_iters=2))
    with pytest.raises(OSError, match=f'Cannot read image {corrupt!r}'):
        runner.train()  # 2 iterations x 2 images cover all 4 files


@pytest.mark.e2e
def test_non_finite_loss_stops_before_checkpoint(tiny_clip, tmp_path,
                                                 monkeypatch, one_thread):
    data = str(tmp_path / 'data')
    tl.write_images(data, 8)
    real_loss = LGDHead.loss
    calls = []

    def nan_at_third(self, *args):
        losses = real_loss(self, *args)
        calls.append(1)
        if len(calls) == 3:
            losses['loss_vis'] = losses['loss_vis'] * float('nan')
        return losses

    monkeypatch.setattr(LGDHead, 'loss', nan_at_third)
    runner = _runner(
        tiny_clip, tmp_path, data, 'nan',
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=5),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1,
                                           by_epoch=False)))
    names = [type(h).__name__ for h in runner.hooks]
    assert names.index('FiniteLossHook') < names.index('CheckpointHook')

    with pytest.raises(FloatingPointError) as err:
        runner.train()
    msg = str(err.value)
    assert 'Non-finite training outputs at iteration 3' in msg
    assert "'loss_vis': [nan]" in msg and 'resume from the last' in msg
    work = tmp_path / 'nan'
    assert sorted(p.name for p in work.glob('iter_*.pth')) == [
        'iter_1.pth', 'iter_2.pth']
    assert (work / 'last_checkpoint').read_text().endswith('iter_2.pth')
    assert torch.isnan(runner.model.neck.projector[0].weight).any()
    ckpt = torch.load(str(work / 'iter_2.pth'), weights_only=True)
    assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values()
               if v.is_floating_point())
    # the hook on its own: inf is caught as well, finite passes
    runner.train_loop._iter = 6
    with pytest.raises(FloatingPointError, match='iteration 7'):
        FiniteLossHook().after_train_iter(
            runner, 0, outputs=dict(loss=torch.tensor(float('inf'))))
    FiniteLossHook().after_train_iter(runner, 0,
                                      outputs=dict(loss=torch.tensor(1.)))


@pytest.mark.e2e
def test_empty_dataset_split(tiny_clip, tmp_path, one_thread):
    empty = tmp_path / 'empty'
    empty.mkdir()
    runner = _runner(tiny_clip, tmp_path, str(empty), 'empty')
    with pytest.raises(RuntimeError) as err:
        runner.train()  # mmpretrain's own message is clear
    assert 'Found 0 files' in str(err.value) and str(empty) in str(err.value)

    one = str(tmp_path / 'one')
    tl.write_images(one, 1)  # fewer images than one batch (drop_last)
    loops = dict(iter=dict(type='IterBasedTrainLoop', max_iters=2),
                 epoch=dict(type='EpochBasedTrainLoop', max_epochs=1))
    for kind, train_cfg in loops.items():
        runner = _runner(tiny_clip, tmp_path, one, f'one_{kind}',
                         train_cfg=train_cfg)
        with pytest.raises(ValueError) as err:
            runner.train()
        assert ('The training split yields no batch: 1 sample(s) for a batch '
                'of 2 per process x 1 process(es) (drop_last=True)') in \
            str(err.value)
        assert 'lower train_dataloader.batch_size' in str(err.value)
        assert not list((tmp_path / f'one_{kind}').glob('*.pth'))
