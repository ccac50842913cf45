"""Zero-shot validation during LGD pre-training: the student's top-1/top-5
through the TSB at every validation, the teacher's once (also across
``--resume``), logged like any metric so the best-checkpoint hook works."""
import glob
import os.path as osp

import _tiny_lgd as tl
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import Runner

import mmlgd  # noqa: F401  registers modules


@HOOKS.register_module(force=True)
class TeacherScoreRecorder(Hook):
    """Per validation: did each output carry teacher scores?"""

    def __init__(self):
        self.per_val = []

    def before_val_epoch(self, runner):
        self.per_val.append([])

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None):
        self.per_val[-1] += ['teacher_pred_score' in ds for ds in outputs]


def _val_loader(root):
    return dict(
        batch_size=2, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        dataset=dict(type='CustomDataset', data_root=root,
                     serialize_data=False, pipeline=[
                         dict(type='StrictLoadImageFromFile'),
                         dict(type='MultiView', num_views=1, transforms=[[
                             dict(type='Resize', scale=(tl.SIZE, tl.SIZE))
                         ]]),
                         dict(type='PackInputs')]))


def _config(tmp_path, tiny_clip, max_iters):
    train_root = str(tmp_path / 'train')
    tl.write_images(train_root, 4)
    val_root = str(tmp_path / 'val')
    classes = sorted(tl.CLASSES)  # folders are numbered in sorted order
    for i, sub in enumerate(classes[:3]):  # labels 0-2 = TSB rows 0-2
        tl.write_images(val_root, 2, seed=10 + i, sub=sub)
    path = tl.write_lgd_config(
        str(tmp_path / 'cfg.py'), tiny_clip, train_root,
        str(tmp_path / 'tsb_cache'), classes=classes,
        pipeline=tl.fixed_pipeline(),
        extra_hooks=[dict(type='TeacherZeroShotHook'),
                     dict(type='TeacherScoreRecorder')],
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters,
                       val_interval=3),
        val_dataloader=_val_loader(val_root),
        val_evaluator=dict(type='Accuracy', topk=(1, 5)),
        val_cfg=dict(type='ValLoop'),
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(type='CheckpointHook', interval=3,
                            by_epoch=False, max_keep_ckpts=-1,
                            save_best='accuracy/top1', rule='greater')))
    cfg = Config.fromfile(path)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    return cfg


def _find(runner, name):
    return next(h for h in runner.hooks if type(h).__name__ == name)


def _accuracy(runner, encoder):
    """Zero-shot top-1/top-5 (%) over the val set, by hand."""
    model = runner.model
    model.eval()
    hits, n = torch.zeros(2), 0
    with torch.no_grad():
        for data in runner.val_dataloader:
            x = model.data_preprocessor(data, False)['inputs'][0]
            z = (model.target_generator(x) if encoder == 'teacher' else
                 model.neck(model.backbone(x)))
            logits = 100.0 * z @ model.tsb.weight.T
            labels = torch.cat([ds.gt_label for ds in data['data_samples']])
            ranked = logits.argsort(dim=1, descending=True)
            for i, k in enumerate((1, 5)):
                hits[i] += (ranked[:, :k] == labels[:, None]).any(1).sum()
            n += len(labels)
    return (100.0 * hits / n).tolist()


@pytest.mark.e2e
def test_student_every_val_teacher_once_and_resume(tiny_clip, tmp_path,
                                                   one_thread):
    runner = Runner.from_cfg(_config(tmp_path, tiny_clip, max_iters=6))
    runner.train()

    rec = _find(runner, 'TeacherScoreRecorder')
    assert [all(v) for v in rec.per_val] == [True, False]
    assert not any(rec.per_val[1])
    hub = runner.message_hub
    top1, top5 = _accuracy(runner, 'teacher')
    assert hub.get_scalar('val/teacher_zero_shot/top1').current() == (
        pytest.approx(top1))
    assert hub.get_scalar('val/teacher_zero_shot/top5').current() == (
        pytest.approx(top5))
    s1, s5 = _accuracy(runner, 'student')  # the last val ran at the end
    assert abs(hub.get_scalar('val/accuracy/top1').current() - s1) < 1e-4
    assert abs(hub.get_scalar('val/accuracy/top5').current() - s5) < 1e-4
    assert not runner.model.predict_teacher
    work = str(tmp_path / 'work')
    assert glob.glob(osp.join(work, 'best_accuracy_top1_iter_*.pth'))
    ckpt = torch.load(osp.join(work, 'iter_6.pth'), weights_only=True)
    saved = ckpt['meta']['teacher_zero_shot']
    assert saved == _find(runner, 'TeacherZeroShotHook').result
    assert saved == {'teacher_zero_shot/top1': pytest.approx(top1),
                     'teacher_zero_shot/top5': pytest.approx(top5)}

    # resume: the teacher is not measured again, its numbers carry over
    cfg = _config(tmp_path, tiny_clip, max_iters=9)
    cfg.resume = True
    cfg.load_from = osp.join(work, 'iter_6.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    rec = _find(resumed, 'TeacherScoreRecorder')
    assert len(rec.per_val) == 1 and not any(rec.per_val[0])
    assert _find(resumed, 'TeacherZeroShotHook').result == saved
