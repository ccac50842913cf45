"""PretrainedBackboneCheckHook: a Pretrained backbone that did not load
fails before the first iteration."""
import pytest
import torch
from _fake_runner import fake_runner
from mmengine.model import BaseModule
from mmengine.runner.loops import BaseLoop
from torch import nn

from mmlgd.engine.hooks import PretrainedBackboneCheckHook


class _Backbone(BaseModule):

    def __init__(self, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.fc = nn.Linear(3, 2)


class _Loop(BaseLoop):

    def run(self):
        pass


def _model(tmp_path, prefix='backbone.'):
    torch.manual_seed(0)
    saved = _Backbone()
    path = str(tmp_path / 'student.pth')
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in
                                saved.state_dict().items()}), path)
    model = nn.Module()
    model.backbone = _Backbone(init_cfg=dict(
        type='Pretrained', checkpoint=path, prefix=prefix))
    return model, saved


def _runner(model, training=True, loaded=False):
    return fake_runner(model=model, _has_loaded=loaded,
                       _train_loop=object.__new__(_Loop) if training
                       else dict(type='IterBasedTrainLoop'))


def test_loaded_weights_pass_and_are_logged(tmp_path):
    model, saved = _model(tmp_path)
    model.backbone.init_weights()
    assert torch.equal(model.backbone.fc.weight, saved.fc.weight)
    runner = _runner(model)
    hook = PretrainedBackboneCheckHook()
    hook.before_run(runner)
    hook.before_train(runner)
    (line, ) = runner.logger.lines
    assert 'keys, shapes and values OK for backbone <- ' in line


def test_weights_not_loaded_fail_before_training(tmp_path):
    model, _ = _model(tmp_path)  # init_weights() never called
    with pytest.raises(RuntimeError, match="'backbone'.*tensors differ from "
                       'the checkpoint.*init_weights'):
        PretrainedBackboneCheckHook().before_train(_runner(model))


def test_after_load_from_only_keys_and_shapes(tmp_path):
    model, _ = _model(tmp_path)
    runner = _runner(model, loaded=True)  # weights came from load_from
    PretrainedBackboneCheckHook().before_train(runner)
    assert 'keys and shapes OK' in runner.logger.lines[0]


def test_wrong_prefix_fails_before_init_weights(tmp_path):
    model, _ = _model(tmp_path, prefix='student.')
    with pytest.raises(RuntimeError, match="no 'student.' keys.*start with "
                       r"\['backbone.'\]"):
        PretrainedBackboneCheckHook().before_run(_runner(model))
    # a test/val run (no train loop built) is not checked in before_run
    PretrainedBackboneCheckHook().before_run(_runner(model, training=False))
