"""``tools/cache_teacher.py verify`` (re-render, re-embed, compare) and
``info`` (the cache card)."""
import importlib.metadata
import os
import shutil

import pytest
from _tiny_clip import write_tiny_clip
from _tiny_lgd import write_images
from mmengine.config import Config

from mmlgd.cli.cache_teacher import main, run
from mmlgd.teacher_cache import build_teacher_cache, verify_cache
from mmlgd.utils.hashing import file_sha256

N, SEED = 2, 3  # as the ``cache`` fixture (conftest.py) builds


def test_verify_passes_on_a_good_cache(cache, capsys):
    cfg, out, root = cache
    report = run(['verify', out, str(root / 'cfg.py'), '--samples', '64'])
    text = capsys.readouterr().out
    assert report['ok'] and report['pairs'] == 5 * N  # all of them
    assert report['cosine']['min'] >= 0.999 and not report['problems']
    assert 'cosine(fresh z_T, stored z_T): min' in text and 'OK' in text
    part = verify_cache(cfg, out, samples=3, seed=1)
    assert part['pairs'] == 3 and part['ok']


def _image_sensitive_clip(root):
    """The tiny CLIP with its visual BatchNorm statistics calibrated on
    random images: a random-init tiny CLIP embeds every image almost alike
    (cosine > 0.9999), which would hide a changed view."""
    import open_clip
    import torch
    from _tiny_clip import TINY_CLIP
    cfg_path, weights = write_tiny_clip(root)
    torch.manual_seed(0)
    model = open_clip.create_model(TINY_CLIP)
    model.load_state_dict(torch.load(weights, weights_only=True))
    for m in model.visual.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None  # cumulative average
    model.visual.train()
    with torch.no_grad():
        for _ in range(10):
            model.visual(torch.randn(16, 3, 32, 32))
    torch.save(model.state_dict(), weights)
    return weights


def test_verify_fails_on_a_changed_image_or_decoder(cache, tmp_path,
                                                    capsys, monkeypatch):
    import mmcv
    cfg, _, _ = cache
    cfg = Config(cfg.to_dict())
    cfg.model.target_generator.pretrained = _image_sensitive_clip(
        str(tmp_path / 'clip'))
    imgs = str(tmp_path / 'imgs')
    write_images(imgs, 5)
    cfg.train_dataloader.dataset.data_root = imgs
    out = str(tmp_path / 'c')
    build_teacher_cache(cfg, out, N, seed=SEED, shard_size=2, batch_size=4)
    good = verify_cache(cfg, out)
    assert good['ok'] and good['cosine']['min'] >= 0.999
    # a decoder that decodes differently: the key cannot see it, verify can
    decode = mmcv.imfrombytes
    monkeypatch.setattr(mmcv, 'imfrombytes',
                        lambda *a, **k: 255 - decode(*a, **k))
    report = verify_cache(cfg, out)
    assert not report['ok'] and not report['problems']
    assert len(report['below']) == 5 * N
    monkeypatch.setattr(mmcv, 'imfrombytes', decode)
    # new pixels under the same file name: the key and the cosine see it
    write_images(str(tmp_path / 'new'), 2, seed=9)
    shutil.copy(tmp_path / 'new' / 'img_001.png', os.path.join(
        imgs, 'img_001.png'))
    report = verify_cache(cfg, out)
    assert not report['ok']
    assert sorted(report['below']) == [(1, 0), (1, 1)]  # only that image
    assert 'img_001.png' in report['problems'][0]
    cfg.dump(str(tmp_path / 'cfg.py'))
    with pytest.raises(SystemExit, match='verify failed'):
        main(['verify', out, str(tmp_path / 'cfg.py')])
    text = capsys.readouterr().out
    assert 'FAILED' in text and 'img_001.png' in text


def test_verify_fails_on_a_teacher_with_other_weights(cache, tmp_path):
    cfg, out, _ = cache
    cfg = Config(cfg.to_dict())
    _, weights = write_tiny_clip(str(tmp_path), seed=1)
    cfg.model.target_generator.pretrained = weights
    report = verify_cache(cfg, out)
    assert not report['ok'] and report['cosine']['max'] < 0.999
    assert len(report['below']) == 5 * N
    assert any('another teacher' in p for p in report['problems'])


def test_info_prints_the_cache_card(cache, capsys, tiny_clip):
    cfg, out, _ = cache
    manifest = run(['info', out])
    text = capsys.readouterr().out
    card = manifest['card']
    weights = tiny_clip[2]
    assert card['teacher'] == 'OpenCLIPVisionTeacher'
    assert card['teacher_files_sha256']['pretrained'] == \
        file_sha256(weights)
    assert (card['num_views'], card['seed'], card['num_images'],
            card['dtype'], card['bytes_per_view']) == (
                N, SEED, 5, 'float16', 32 * 2)
    assert card['libraries']['torch'] == importlib.metadata.version('torch')
    assert card['pipeline'] == manifest['key']['pipeline']
    for fact in ('OpenCLIPVisionTeacher', file_sha256(weights),
                 'images:         5', 'views (N):      2   seed: 3',
                 '32 dims x float16 = 64 bytes per view',
                 f'torch {card["libraries"]["torch"]}', card['date'],
                 'RandomResizedCrop', 'first and last 64 KiB'):
        assert fact in text, fact


def test_stored_embeddings_are_the_teachers(cache):
    """Independent of verify: the teacher run by hand on the views the
    dataset serves gives the stored (fp16) z_T."""
    import numpy as np
    import torch
    from mmengine.dataset import default_collate
    from mmpretrain.registry import MODELS

    from mmlgd.teacher_cache import CachedViewDataset, TeacherCacheStore
    cfg, out, _ = cache
    teacher = MODELS.build(cfg.model.target_generator)
    pre = MODELS.build(cfg.model.data_preprocessor)
    ds = CachedViewDataset(dict(cfg.train_dataloader.dataset), out)
    store = TeacherCacheStore(out)
    pairs = [(i, v) for i in range(5) for v in range(N)]
    items = [ds[p] for p in pairs]
    x = pre(default_collate(items), False)['inputs'][0]
    want = teacher(x)
    got = torch.from_numpy(store.lookup(*zip(*pairs)).astype(np.float32))
    assert store.lookup([0], [0]).dtype == np.float16
    torch.testing.assert_close(got, want, atol=2e-3, rtol=0)
    attached = torch.stack([it['data_samples'].z_t for it in items])
    assert torch.equal(attached.float(), got)  # what the dataset attaches
