"""Deployment benchmark library: model building, complexity against an
independent count, the report's ratios (no timing in tests: the timer is
replaced by fixed numbers)."""
import os.path as osp

import pytest
import torch

from mmlgd.deployment import benchmark as bm
from mmlgd.deployment.benchmark_report import (
    default_specs,
    deployment_benchmark,
    render,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_default_specs_are_the_paper_students_and_the_teacher():
    specs = default_specs(osp.join(REPO, 'configs'))
    assert [s['name'] for s in specs] == [
        'CLIP RN50 (teacher)', 'ResNet-18', 'MobileNetV2', 'MobileNetV3-L',
        'EfficientNet-B0', 'ResNet-18, demo']
    for s in specs:
        assert 'clip' in s or osp.isfile(s['config']), s


def test_student_tower_and_complexity():
    spec = default_specs(osp.join(REPO, 'configs'))[-1]  # demo, 32 px
    model = bm.build_student(spec['config'], spec['embed_dim'],
                             spec['num_classes'])
    z = model(torch.randn(2, 3, 32, 32))
    assert z.shape == (2, 384)
    torch.testing.assert_close(z.norm(dim=1), torch.ones(2))
    info = bm.complexity(model, 32)
    # parameters: an independent count (the VSB is a buffer, not counted)
    assert info['params'] == sum(p.numel() for p in model.parameters())
    # FLOPs: ResNet-18 at 32 px is 1.82 GFLOPs * (32 / 224)^2 plus the
    # projector; the stem stride makes it exactly scale with area.
    conv1 = 64 * 3 * 7 * 7 * 16 * 16  # multiply-adds of the first conv
    assert info['flops'] > conv1
    assert 30e6 < info['flops'] < 45e6


def test_time_model_structure_without_timing(monkeypatch):
    calls = []

    def fake_median(fn, min_run_time, threads):
        out = fn()
        calls.append(tuple(out.shape) if torch.is_tensor(out) else None)
        return 0.01 * len(calls)

    monkeypatch.setattr(bm, '_median_s', fake_median)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                torch.nn.AdaptiveAvgPool2d(1),
                                torch.nn.Flatten()).eval()
    res = bm.time_model(model, 8, backends=('eager', ), batches=(1, 3),
                        log=lambda s: None)
    assert res['eager']['s'] == {1: 0.01, 3: 0.02}
    assert calls == [(1, 4), (3, 4)]


def _row(name, lat1, lat32, teacher=False):
    timing = {b: dict(s={1: lat1 / 1e3, 32: lat32 / 1e3}, setup_s=1.0)
              for b in bm.BACKENDS}
    return dict(name=name, size=224, params=1e6, flops=1e9, timing=timing,
                teacher=teacher)


def test_report_ratios():
    rows = [_row('CLIP RN50 (teacher)', 100.0, 3200.0, teacher=True),
            _row('ResNet-18', 25.0, 400.0)]
    rows[1]['timing']['compile'] = dict(error='RuntimeError: no compiler')
    text = render(rows, 'python tools/x.py', 60.0, 1)
    assert '- ResNet-18 (224 px): eager 4.0x (8.0x)' in text
    assert 'onnxruntime 4.0x (8.0x)' in text
    # throughput table: 32 / 0.4 s = 80 img/s, teacher 10 img/s
    assert '| ResNet-18 | 80.0 | - | 80.0 | 8.0x |' in text
    assert 'ResNet-18, compile: `RuntimeError: no compiler`' in text
    assert 'loaded' in text and 'python tools/x.py' in text


def test_report_refuses_to_overwrite(tmp_path):
    out = tmp_path / 'deployment.md'
    out.write_text('old')
    with pytest.raises(FileExistsError, match='--force'):
        deployment_benchmark(str(out), 'cmd', specs=[])
    assert out.read_text() == 'old'
