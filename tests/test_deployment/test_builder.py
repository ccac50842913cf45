"""Which transforms and input size a run's deployment uses."""
import os.path as osp

from mmengine.config import Config

from mmlgd.deployment import (
    image_size,
    inference_pipeline,
    preprocess_geometry,
    zero_shot_model_cfg,
)

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'configs')


def test_paper_run_uses_the_zero_shot_benchmark_view():
    run = Config.fromfile(osp.join(
        CONFIGS, 'lgd', 'lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py'))
    bench = Config.fromfile(osp.join(
        CONFIGS, 'benchmarks', 'zero-shot_lgd-mobilenet-v2_in1k.py'))
    # the LGD run has no test pipeline: its zero-shot validation view (one
    # view, unwrapped) is used, and is what the zero-shot benchmark uses
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


def test_paper_run_geometry():
    """The ONNX metadata's preprocessing of a paper run, in full."""
    run = Config.fromfile(osp.join(
        CONFIGS, 'lgd', 'lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'))
    pre = zero_shot_model_cfg(run)['data_preprocessor']
    geo = preprocess_geometry(inference_pipeline(run), pre)
    assert {k: v for k, v in geo['resize'].items() if k != 'rule'} == dict(
        mode='edge', edge='short', size=256, interpolation='bilinear',
        backend='pillow')
    assert geo['crop']['mode'] == 'center'
    assert geo['crop']['size'] == geo['input_size'] == [224, 224]
    assert geo['channel_order'] == 'RGB' and geo['layout'] == 'NCHW'
    assert geo['mean'] == [122.770938, 116.7460125, 104.09373615]
    assert geo['std'] == [68.5005327, 66.6321579, 70.32316305]


def test_validation_view_wins_over_the_train_crop():
    """A run without a test pipeline: the view its own zero-shot validation
    applies (here short edge 40, crop 32), not one derived from the train
    crop (which would be short edge 37)."""
    view = [dict(type='ResizeEdge', scale=40, edge='short',
                 backend='pillow', interpolation='bilinear'),
            dict(type='CenterCrop', crop_size=32)]
    run = Config(dict(
        train_dataloader=dict(dataset=dict(pipeline=[
            dict(type='RandomResizedCrop', scale=32)])),
        val_dataloader=dict(dataset=dict(pipeline=[
            dict(type='StrictLoadImageFromFile'),
            dict(type='MultiView', num_views=1, transforms=[view]),
            dict(type='PackInputs')]))))
    assert inference_pipeline(run) == view + [dict(type='PackInputs')]
    run.val_dataloader = None
    assert inference_pipeline(run)[0]['scale'] == 37


def test_geometry_refuses_what_it_cannot_describe():
    import pytest
    for bad in (dict(type='RandomFlip', prob=0.5),
                dict(type='Resize', scale=(32, 32), keep_ratio=True),
                dict(type='CenterCrop', crop_size=32, auto_pad=True)):
        with pytest.raises(ValueError, match='cannot describe'):
            preprocess_geometry([bad, dict(type='PackInputs')])


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
