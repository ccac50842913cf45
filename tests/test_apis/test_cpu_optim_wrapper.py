"""CPU runs of the paper configs (issue 21.5): their AmpOptimWrapper becomes
the plain OptimWrapper on a machine without an accelerator, and the
documented override ``optim_wrapper.type=OptimWrapper`` builds."""
import _tiny_lgd as tl
import pytest
import torch
from mmengine.config import Config
from mmengine.device import get_device
from mmengine.optim import OptimWrapper, build_optim_wrapper

from mmlgd.apis import load_config
from mmlgd.apis import train as train_api
from mmlgd.cli import train as train_cli
from mmlgd.utils.configs import config_path

PAPER = 'lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
cpu_only = pytest.mark.skipif(get_device() != 'cpu',
                              reason='the CPU fallback needs a CPU machine')


@cpu_only
@pytest.mark.parametrize('options', [None, {
    'optim_wrapper.type': 'OptimWrapper'}], ids=['as-shipped', 'override'])
def test_paper_schedule_builds_a_plain_wrapper_on_cpu(options):
    cfg = load_config(config_path(PAPER), options)
    assert cfg.optim_wrapper.get('loss_scale') == 'dynamic'
    cfg = train_api.plain_wrapper_without_accelerator(cfg)
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper
    wrapper = build_optim_wrapper(torch.nn.Linear(2, 2), cfg.optim_wrapper)
    assert type(wrapper) is OptimWrapper
    assert wrapper.optimizer.defaults['lr'] == pytest.approx(0.24)


@cpu_only
@pytest.mark.e2e
def test_paper_config_trains_through_the_train_api_on_cpu(
        tiny_clip, tmp_path):
    cfg = Config.fromfile(config_path(PAPER))
    shipped = cfg.optim_wrapper.copy()
    tl.write_images(str(tmp_path / 'imgs'), 4)
    tl.shrink_lgd_cfg(cfg, tiny_clip, str(tmp_path / 'imgs'),
                      str(tmp_path / 'tsb'), str(tmp_path / 'work'), 'cpu')
    cfg.optim_wrapper = shipped  # AmpOptimWrapper, loss_scale='dynamic'
    path = str(tmp_path / 'paper_cpu.py')
    cfg.dump(path)
    runner = train_cli.run([path, '--no-validate'])
    assert type(runner.optim_wrapper) is OptimWrapper
    assert runner.iter == 2
