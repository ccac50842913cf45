"""check_pretrained_init / PretrainedBackboneCheckHook: every way a
pretrained backbone can silently stay random must raise, naming the cause."""
import types

import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModule

import mmlgd  # noqa: F401  registers the hook, installs safe loading
from mmlgd.engine.hooks import PretrainedBackboneCheckHook
from mmlgd.utils.pretrained_check import (
    check_pretrained_init,
    load_pretrained_state_dict,
)


def resnet(depth, checkpoint=None, prefix='backbone.'):
    from mmpretrain.models import ResNet
    init_cfg = None
    if checkpoint is not None:
        init_cfg = dict(type='Pretrained', checkpoint=checkpoint,
                        prefix=prefix)
    return ResNet(depth=depth, init_cfg=init_cfg)


class Wrapper(BaseModule):
    """A detector-like parent: the Pretrained init_cfg sits on .backbone."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        self.head = torch.nn.Linear(4, 2)


def test_passes_and_weights_equal(lgd_ckpt):
    path, sd = lgd_ckpt('r18')
    model = Wrapper(resnet(18, path))
    model.backbone.init_weights()
    assert check_pretrained_init(model) == [f'backbone <- {path}']
    own = model.backbone.state_dict()
    assert own.keys() == sd.keys()
    assert all(torch.equal(own[k], sd[k]) for k in sd)


def test_no_prefix_keys(tmp_path, lgd_ckpt):
    _, sd = lgd_ckpt('r18')
    path = str(tmp_path / 'torchvision_style.pth')
    torch.save(sd, path)  # prefix-less backbone file
    model = resnet(18, path, prefix='backbone.')
    # mmengine's own loader stops here with a bare AssertionError ...
    with pytest.raises(AssertionError):
        model.init_weights()
    # ... the check names the cause and the fixes.
    with pytest.raises(RuntimeError) as err:
        check_pretrained_init(model)
    msg = str(err.value)
    assert "no 'backbone.' keys" in msg and path in msg
    assert 'LGD checkpoint' in msg and 'extract_student' in msg
    assert 'prefix=None' in msg


def test_r18_weights_into_r50_config(lgd_ckpt):
    path, _ = lgd_ckpt('r18')
    model = resnet(50, path)
    model.init_weights()  # mmengine only logs the mismatches
    with pytest.raises(RuntimeError) as err:
        check_pretrained_init(model)
    msg = str(err.value)
    assert 'different shape' in msg and 'ResNet-18' in msg
    # First mismatching key with both shapes: R18 3x3 vs R50 1x1 conv.
    assert ("'layer1.0.conv1.weight': checkpoint (64, 64, 3, 3) vs model "
            '(64, 64, 1, 1)') in msg
    assert 'missing' in msg and 'layer1.0.conv3.weight' in msg


def test_missing_keys(tmp_path, lgd_ckpt):
    src, _ = lgd_ckpt('r18')
    ckpt = torch.load(src, weights_only=True)
    del ckpt['state_dict']['backbone.layer4.1.conv2.weight']
    del ckpt['state_dict']['backbone.bn1.running_var']
    path = str(tmp_path / 'partial.pth')
    torch.save(ckpt, path)
    model = resnet(18, path)
    model.init_weights()
    total = len(model.state_dict())
    with pytest.raises(RuntimeError, match=f'2 of {total} parameters/buffers '
                       'are missing') as err:
        check_pretrained_init(model)
    assert 'layer4.1.conv2.weight' in str(err.value)
    assert 'bn1.running_var' in str(err.value)


def test_prefix_none_on_lgd_checkpoint(lgd_ckpt):
    path, _ = lgd_ckpt('r18')
    model = resnet(18, path, prefix=None)
    model.init_weights()
    with pytest.raises(RuntimeError,
                       match="set init_cfg.prefix='backbone.'"):
        check_pretrained_init(model)


def test_init_weights_skipped(lgd_ckpt):
    path, _ = lgd_ckpt('r18')
    model = resnet(18, path)  # built, but init_weights() never called
    with pytest.raises(RuntimeError,
                       match='tensors differ from the checkpoint') as err:
        check_pretrained_init(model)
    assert 'init_weights() not called' in str(err.value)


def test_missing_file(tmp_path):
    model = resnet(18, str(tmp_path / 'nope.pth'))
    with pytest.raises(RuntimeError, match='does not exist'):
        check_pretrained_init(model)


def test_no_pretrained_cfg_checks_nothing():
    assert check_pretrained_init(resnet(18)) == []


def test_load_pretrained_state_dict_mirrors_mmengine(tmp_path, lgd_ckpt):
    _, sd = lgd_ckpt('r18')
    path = str(tmp_path / 'ddp.pth')
    torch.save({'state_dict': {f'module.{k}': v for k, v in sd.items()}},
               path)
    out = load_pretrained_state_dict(path, prefix=None)
    assert out.keys() == sd.keys()


def fake_runner(model, loaded=False):
    return types.SimpleNamespace(
        model=model, _has_loaded=loaded,
        logger=MMLogger.get_instance('test_pretrained_check'))


def test_hook_before_train(lgd_ckpt):
    path, _ = lgd_ckpt('r18')
    hook = PretrainedBackboneCheckHook()
    good = Wrapper(resnet(18, path))
    good.init_weights()
    hook.before_train(fake_runner(good))

    skipped = Wrapper(resnet(18, path))
    with pytest.raises(RuntimeError, match='differ'):
        hook.before_train(fake_runner(skipped))
    # After load_from / resume the weights legitimately differ: keys and
    # shapes are still checked, values are not.
    hook.before_train(fake_runner(skipped, loaded=True))
    wrong_arch = Wrapper(resnet(50, path))
    with pytest.raises(RuntimeError, match='different shape'):
        hook.before_train(fake_runner(wrong_arch, loaded=True))


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmdet', 'mmseg'])
def test_hook_found_from_every_scope(scope):
    import importlib
    hooks = importlib.import_module(f'{scope}.registry').HOOKS
    hook = hooks.build(dict(type='PretrainedBackboneCheckHook'))
    assert isinstance(hook, PretrainedBackboneCheckHook)
    assert hook.priority == 'VERY_HIGH'


def test_hook_before_run_only_checks_training_runs(tmp_path):
    from mmengine.runner.loops import BaseLoop

    class Loop(BaseLoop):
        def run(self):
            pass

    model = Wrapper(resnet(18, str(tmp_path / 'gone.pth')))
    runner = fake_runner(model)
    hook = PretrainedBackboneCheckHook()
    runner._train_loop = None  # tools/test.py: the pretrain file is unused
    hook.before_run(runner)
    runner._train_loop = Loop(runner, [])  # training: checked up front
    with pytest.raises(RuntimeError, match='does not exist'):
        hook.before_run(runner)
