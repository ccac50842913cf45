"""ZeroShotInferencer and tools/infer.py: same predictions as tools/test.py's
zero-shot evaluation on real Fashion-MNIST images, input forms, CLI, and
the bad-input errors."""
import json
import os
import os.path as osp
import pickle
import textwrap

import numpy as np
import pytest
import torch
from _deploy_helpers import (
    need_fmnist,
    read_fmnist,
    run_tool,
    write_fmnist_split,
    write_run,
)

from mmlgd.apis import ZeroShotInferencer
from mmlgd.cli.extract_student import main as extract_student_main
from mmlgd.cli.test import run as eval_main

N_TRAIN, N_TEST = 32, 40
ZERO_SHOT_CFG = '''
_base_ = {runtime!r}
default_scope = 'mmpretrain'
model = dict(
    type='ZeroShotClassifier',
    data_preprocessor=dict(type='ClsDataPreprocessor',
                           mean=[122.770938, 116.7460125, 104.09373615],
                           std=[68.5005327, 66.6321579, 70.32316305],
                           to_rgb=True),
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    neck=dict(type='LGKANeck', in_channels=64),
    tsb=dict(type='TextualSemanticsBank', encoder={encoder!r},
             classes='fashion_mnist', templates={templates!r},
             cache_dir={cache!r}),
    logit_scale=100.0)
test_dataloader = dict(
    batch_size=16, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='FashionMNIST', data_root={data!r}, split='test',
                 test_mode=True, download=False, pipeline={pipeline!r}))
test_evaluator = dict(type='Accuracy', topk=(1, ))
test_cfg = dict()
log_level = 'WARNING'
'''
PIPELINE = [dict(type='Resize', scale=(32, 32)), dict(type='PackInputs')]


@pytest.fixture(scope='module')
def fmnist_student(tiny_clip, tmp_path_factory):
    """A tiny LGD student (ResNet-18 of width 8) trained for 4 iterations on
    32 real Fashion-MNIST training images with the tiny CLIP teacher; the
    first 40 official test images as PNGs and as an idx split."""
    import _tiny_lgd as tl
    import mmcv
    from mmpretrain.datasets import FashionMNIST

    from mmlgd.apis import build_runner, load_config
    root = tmp_path_factory.mktemp('fmnist_run')
    train, _ = read_fmnist('train', N_TRAIN)
    for i, img in enumerate(train):
        mmcv.imwrite(img, str(root / 'train' / f'{i:03d}.png'))
    test, labels = read_fmnist('t10k', N_TEST)
    for i, img in enumerate(test):
        mmcv.imwrite(img, str(root / 'test' / f'{i:03d}.png'))
    write_fmnist_split(str(root / 'test_idx'), test, labels)
    cache = str(root / 'tsb')
    cfg_path = tl.write_lgd_config(
        str(root / 'lgd.py'), tiny_clip, str(root / 'train'), cache,
        classes=list(FashionMNIST.METAINFO['classes']), batch_size=8,
        pipeline=tl.fixed_pipeline(), test_pipeline=PIPELINE,
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=4),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=4,
                                           by_epoch=False)),
        log_level='WARNING')
    cfg = load_config(cfg_path, work_dir=str(root / 'work'))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        build_runner(cfg).train()
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(False)
    ckpt = str(root / 'work' / 'iter_4.pth')
    zs_cfg = root / 'zero_shot.py'
    zs_cfg.write_text(textwrap.dedent(ZERO_SHOT_CFG.format(
        runtime=tl.RUNTIME, encoder=tl.tiny_text_encoder(tiny_clip),
        templates=tl.TEMPLATES, cache=cache, data=str(root / 'test_idx'),
        pipeline=PIPELINE)))
    return dict(root=root, ckpt=ckpt, zs_cfg=str(zs_cfg), labels=labels,
                test_dir=str(root / 'test'), images=test)


@need_fmnist
def test_inferencer_equals_tools_test_zero_shot(fmnist_student):
    s = fmnist_student
    preds_pkl = str(s['root'] / 'preds.pkl')
    eval_main([s['zs_cfg'], s['ckpt'], '--out', preds_pkl,
                               '--work-dir', str(s['root'] / 'test_work')])
    with open(preds_pkl, 'rb') as f:
        evaluated = pickle.load(f)
    want = [int(p['pred_label']) for p in evaluated]
    want_scores = torch.stack([p['pred_score'] for p in evaluated])
    assert len(want) == N_TEST
    # The tiny random CLIP teacher maps all Fashion-MNIST images to nearly
    # one embedding (its top-1 is one class for all), and so does its
    # 4-iteration student: the labels agree trivially, and the per-image
    # score vectors, which do differ, are compared to 1e-5 as well.
    assert float((want_scores - want_scores.mean(0)).abs().max()) > 1e-4

    inferencer = ZeroShotInferencer(s['ckpt'])  # config from the checkpoint
    results = inferencer(s['test_dir'], batch_size=16)
    assert [r['pred_label'] for r in results] == want
    torch.testing.assert_close(
        torch.stack([torch.from_numpy(r['pred_scores']) for r in results]),
        want_scores, atol=1e-5, rtol=0)
    from mmpretrain.datasets import FashionMNIST
    names = FashionMNIST.METAINFO['classes']
    assert [r['pred_class'] for r in results] == [names[i] for i in want]


@need_fmnist
def test_input_forms_topk_and_new_classes(fmnist_student):
    s = fmnist_student
    inferencer = ZeroShotInferencer(s['ckpt'], topk=3)
    paths = sorted(osp.join(s['test_dir'], n)
                   for n in os.listdir(s['test_dir']))[:6]
    by_path = inferencer(paths, batch_size=4)
    by_array = inferencer([img for img in s['images'][:6]])  # (28, 28)
    assert [r['pred_label'] for r in by_array] == \
        [r['pred_label'] for r in by_path]
    for r in by_path:
        scores = r['pred_scores']
        order = np.argsort(-scores)[:3]
        assert [t['label'] for t in r['topk']] == order.tolist()
        assert r['pred_score'] == pytest.approx(float(scores.max()))
        assert scores.sum() == pytest.approx(1.0, abs=1e-5)

    # a new class list, encoded by the run's text encoder via the TSB cache
    new = ['sneaker', 'sandal', 'ankle boot']
    other = ZeroShotInferencer(s['ckpt'], classes=new)
    res = other(paths[:2])
    assert other.classes == new and len(res[0]['pred_scores']) == 3
    assert res[0]['pred_class'] in new
    cached = [n for n in os.listdir(s['root'] / 'tsb') if n.endswith('.pt')]
    assert len(cached) == 2  # the run's classes + the new list


@need_fmnist
def test_infer_cli_table_json_and_no_overwrite(fmnist_student, tmp_path,
                                              capsys):
    s = fmnist_student
    def main(argv):
        return run_tool('infer.py', argv)

    out = str(tmp_path / 'preds.json')
    rows = main([s['test_dir'], '--checkpoint', s['ckpt'], '--classes',
                 'sneaker,sandal,ankle boot', '--topk', '2', '--out', out])
    text = capsys.readouterr().out
    assert '| image | top-1 | score |' in text and 'Wrote 40' in text
    saved = json.loads(open(out).read())
    assert saved['classes'] == ['sneaker', 'sandal', 'ankle boot']
    assert [r['pred_class'] for r in saved['results']] == \
        [r['pred_class'] for r in rows]
    assert saved['results'][0]['image'].endswith('000.png')
    assert len(saved['results'][0]['topk']) == 2
    with pytest.raises(FileExistsError, match='--force'):
        main([s['test_dir'], '--checkpoint', s['ckpt'], '--out', out])


def test_bad_inputs_are_named(tiny_clip, tmp_path):
    import mmcv
    _, ckpt = write_run(str(tmp_path / 'run'), tiny_clip,
                        str(tmp_path / 'tsb'))
    inferencer = ZeroShotInferencer(ckpt)
    good = str(tmp_path / 'ok.png')
    mmcv.imwrite(np.zeros((20, 20, 3), np.uint8), good)
    bad = tmp_path / 'broken.png'
    bad.write_bytes(b'\x89PNG\r\n\x1a\n not really')
    with pytest.raises(OSError, match='broken.png'):
        inferencer([good, str(bad)])
    with pytest.raises(FileNotFoundError, match='missing.png'):
        inferencer(str(tmp_path / 'missing.png'))
    with pytest.raises(ValueError, match='Input 0 is not an image'):
        inferencer(np.zeros((4, 4, 5), np.uint8))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='holds no image'):
        inferencer(str(tmp_path / 'empty'))

    with pytest.raises(ValueError, match='empty'):
        ZeroShotInferencer(ckpt, classes=[])
    from mmlgd.apis import parse_classes
    with pytest.raises(ValueError, match='empty or has blank'):
        ZeroShotInferencer(ckpt, classes=parse_classes('boot,,sandal'))
    with pytest.raises(ValueError, match=r"Duplicate .*\['boot'\]"):
        ZeroShotInferencer(ckpt, classes=parse_classes('boot,sandal,boot'))


def test_backbone_only_checkpoint_names_the_full_one(tiny_clip, tmp_path):
    _, ckpt = write_run(str(tmp_path / 'run'), tiny_clip,
                        str(tmp_path / 'tsb'))
    student = str(tmp_path / 'student.pth')
    extract_student_main([ckpt, student])
    with pytest.raises(ValueError) as err:
        ZeroShotInferencer(student)
    msg = str(err.value)
    assert 'projector' in msg and osp.abspath(ckpt) in msg
    assert 'only the student backbone' in msg


def test_tsb_dimension_must_match_projector(tsb16_run):
    with pytest.raises(ValueError, match='not the one the student was '
                       'distilled against'):
        ZeroShotInferencer(*tsb16_run)


def test_cli_rejects_non_positive_topk(capsys):
    from mmlgd.cli.infer import build_parser
    parse_args = build_parser().parse_args
    with pytest.raises(SystemExit):
        parse_args(['img.png', '--checkpoint', 'x.pth', '--classes', 'a,b',
                    '--topk', '0'])
    assert '--topk: must be >= 1' in capsys.readouterr().err
    assert parse_args(['img.png', '--checkpoint', 'x.pth', '--topk',
                       '2']).topk == 2


def test_missing_image_is_named_before_the_model_is_built(tmp_path,
                                                         monkeypatch):
    from mmlgd.apis import inferencer as inferencer_mod
    from mmlgd.cli.infer import main as cli

    def no_build(*a, **k):
        raise AssertionError('the model was built before the paths were '
                             'checked')
    monkeypatch.setattr(inferencer_mod, 'ZeroShotInferencer', no_build)
    gone = str(tmp_path / 'nope.png')
    with pytest.raises(SystemExit, match=f'No such image file or folder: '
                       f'{gone}'):
        cli([gone, '--checkpoint', 'x.pth', '--classes', 'a,b'])
