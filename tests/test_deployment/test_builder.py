"""Which transforms and input size a run's deployment uses."""
import os.path as osp

from mmengine.config import Config

from mmlgd.deployment import (
    image_size,
    inference_pipeline,
    zero_shot_model_cfg,
)

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'configs')


def test_paper_run_uses_the_zero_shot_benchmark_view():
    run = Config.fromfile(osp.join(
        CONFIGS, 'lgd', 'lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py'))
    bench = Config.fromfile(osp.join(
        CONFIGS, 'benchmarks', 'zero-shot_lgd-mobilenet-v2_in1k.py'))
    # the LGD run has no test pipeline: the view is derived from its crop
    # size and must be what the zero-shot benchmark evaluates with
    want = [dict(t) for t in bench.test_dataloader.dataset.pipeline[1:]]
    assert inference_pipeline(run) == want
    assert image_size(want) == (224, 224)
    model = zero_shot_model_cfg(run, classes=['a', 'b'])
    assert model['type'] == 'ZeroShotClassifier'
    assert model['backbone']['norm_cfg']['type'] == 'BN'  # not SyncBN
    assert model['tsb']['classes'] == ['a', 'b']
    assert model['tsb']['encoder'] == run.model.tsb.encoder  # run's own
    assert model['data_preprocessor'] == dict(
        type='ClsDataPreprocessor', mean=run.model.data_preprocessor.mean,
        std=run.model.data_preprocessor.std, to_rgb=True)


def test_demo_run_keeps_its_test_pipeline():
    run = Config.fromfile(osp.join(
        CONFIGS, 'fashion_mnist',
        'lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'))
    pipe = inference_pipeline(run)
    assert [t['type'] for t in pipe] == ['Resize', 'PackInputs']
    assert image_size(pipe) == (32, 32)


def test_classifier_checkpoint_is_not_called_backbone_only():
    import pytest
    import torch

    from mmlgd.deployment import require_projector
    t = torch.zeros(1)
    teacher = {'backbone.conv1.weight': t, 'head.proj.weight': t,
               'head.logit_scale': t}
    with pytest.raises(ValueError, match=r"not an LGD pre-training "
                       r"checkpoint: it has \['head'\] tensors"):
        require_projector(teacher, {'path': 'teacher/epoch_4.pth'})
    with pytest.raises(ValueError, match='only the student backbone'):
        require_projector({'backbone.conv1.weight': t}, {'path': 's.pth'})
    require_projector({'backbone.conv1.weight': t,
                       'neck.projector.0.weight': t}, {'path': 'lgd.pth'})
