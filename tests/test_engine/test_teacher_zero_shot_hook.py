"""TeacherZeroShotHook: the teacher's top-k, once per run, from the
``teacher_pred_score`` the model adds while ``predict_teacher`` is set."""
from types import SimpleNamespace

import torch
from _fake_runner import fake_runner
from mmpretrain.structures import DataSample

from mmlgd.engine.hooks import TeacherZeroShotHook

# 4 images, 3 classes. Teacher scores, best first: sample 0 -> (2, 0, 1),
# sample 1 -> (1, 2, 0), sample 2 -> (0, 1, 2), sample 3 -> (2, 1, 0).
SCORES = torch.tensor([[0.3, 0.1, 0.6], [0.1, 0.7, 0.2],
                       [0.5, 0.4, 0.1], [0.1, 0.3, 0.6]])
LABELS = [2, 2, 1, 0]
# top-1 hits: 0 (yes), 1 (no), 2 (no), 3 (no) -> 25 %
# top-2 hits: 0, 1 (2 is second), 2 (1 is second), 3 (no) -> 75 %


def _outputs(rows):
    out = []
    for i in rows:
        sample = DataSample().set_gt_label(LABELS[i])
        sample.set_field(SCORES[i], 'teacher_pred_score', field_type='data')
        out.append(sample)
    return out


def _model(num_classes=3):
    """A model stand-in: the flag the hook sets and a TSB of K rows."""
    return SimpleNamespace(predict_teacher=False,
                           tsb=SimpleNamespace(num_classes=num_classes))


def _validate(hook, runner, metrics):
    hook.before_val_epoch(runner)
    flag = runner.model.predict_teacher
    for rows in ([0, 1, 2], [3]):  # two batches
        hook.after_val_iter(runner, 0, outputs=_outputs(rows))
    hook.after_val_epoch(runner, metrics)
    return flag


def test_measured_once_logged_and_in_metrics():
    runner = fake_runner(model=_model())
    hook = TeacherZeroShotHook(topk=(1, 2))
    metrics = dict(accuracy_top1=10.0)
    assert _validate(hook, runner, metrics) is True
    want = {'teacher_zero_shot/top1': 25.0, 'teacher_zero_shot/top2': 75.0}
    assert hook.result == want
    assert metrics == dict(accuracy_top1=10.0, **want)
    assert runner.model.predict_teacher is False  # reset after the epoch
    hub = runner.message_hub
    assert hub.get_scalar('val/teacher_zero_shot/top2').current() == 75.0
    # the second validation does not ask the teacher again
    metrics = {}
    assert _validate(hook, runner, metrics) is False
    assert metrics == {}


def test_result_travels_in_checkpoint_meta():
    runner = fake_runner(model=_model())
    hook = TeacherZeroShotHook(topk=(1, 2))
    _validate(hook, runner, {})
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['meta']['teacher_zero_shot'] == hook.result
    resumed = TeacherZeroShotHook(topk=(1, 2))
    resumed.after_load_checkpoint(runner, checkpoint)
    assert resumed.result == hook.result
    assert _validate(resumed, runner, {}) is False  # not measured again


def test_model_without_predict_teacher_is_left_alone():
    runner = fake_runner(model=torch.nn.Linear(2, 2))
    hook = TeacherZeroShotHook()
    hook.before_val_epoch(runner)
    hook.after_val_iter(runner, 0, outputs=_outputs([0]))
    hook.after_val_epoch(runner, {})
    assert hook.result is None and not hasattr(runner.model,
                                               'predict_teacher')
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint == {}


def test_topk_above_k_is_capped_and_logged():
    # K=3 classes, topk (1, 5): top-5 does not exist, so it is measured as
    # top-3 (every label is within the 3 rows: 100 %).
    runner = fake_runner(model=_model(3))
    hook = TeacherZeroShotHook(topk=(1, 5))
    metrics = {}
    _validate(hook, runner, metrics)
    assert hook.topk == (1, 3)
    assert metrics == {'teacher_zero_shot/top1': 25.0,
                       'teacher_zero_shot/top3': 100.0}
