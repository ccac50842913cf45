"""ONNX export of each paper student: onnxruntime vs an independent PyTorch
reference (embeddings to 1e-4, same top-1 logits), dynamic batch, errors.
"""
import functools
import json
import os.path as osp
import sys

import pytest
import torch
import torch.nn.functional as F
from _deploy_helpers import STUDENTS, run_tool, write_run

pytest.importorskip('onnx')
ort = pytest.importorskip('onnxruntime')
pytest.importorskip('onnxscript')

from mmlgd.cli.extract_student import main as extract_student_main  # noqa: E402,E501
from mmlgd.deployment import export_onnx, require_onnx  # noqa: E402

SIZE = 32  # small input: fast; the benchmark uses 224


def _run_onnx(path, x):
    sess = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    return [torch.from_numpy(o) for o in sess.run(None, {'input': x.numpy()})]


def _reference(ckpt, tsb_weight=None):
    """Pooled features, embeddings and logits from the checkpoint's tensors,
    computed with the paper's equations: GAP, Linear-ReLU-Linear, L2 norm,
    100 * z L^T."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS
    raw = torch.load(ckpt, weights_only=True)
    meta = raw['meta']
    cfg = Config.fromstring(meta.get('cfg') or meta['source_meta']['cfg'],
                            '.py')
    state = raw['state_dict']
    backbone = MODELS.build(cfg.model.backbone)
    backbone.eval()
    backbone.load_state_dict({k[9:]: v for k, v in state.items()
                              if k.startswith('backbone.')})

    def pooled(x):
        with torch.no_grad():
            return backbone(x)[-1].mean(dim=(2, 3))

    def embedding(x):
        h = F.relu(F.linear(pooled(x), state['neck.projector.0.weight'],
                            state['neck.projector.0.bias']))
        return F.normalize(F.linear(h, state['neck.projector.2.weight'],
                                    state['neck.projector.2.bias']), dim=1)

    def logits(x):
        return 100.0 * embedding(x) @ tsb_weight.T
    return pooled, embedding, logits


def _tsb_weight(cache, classes):
    """The cached TSB the export used (written by the TSB cache)."""
    import glob
    for path in glob.glob(osp.join(cache, 'tsb-*.pt')):
        entry = torch.load(path, weights_only=True)
        if entry['classes'] == classes:
            return entry['tsb']
    raise AssertionError(f'no cached TSB for {classes}')


def _x(batch=5):  # batch 5: not the export's 2 (dynamic batch)
    return torch.randn(batch, 3, SIZE, SIZE,
                       generator=torch.Generator().manual_seed(1))


# ResNet-18 in the default run; the other students' exports take 20-40 s
# each on a 2-core CPU (torch.export + ONNX translation), hence e2e.
@pytest.mark.parametrize('student', [
    s if s == 'resnet18' else pytest.param(s, marks=pytest.mark.e2e)
    for s in sorted(STUDENTS)])
def test_zero_shot_export_matches_pytorch(student, tiny_clip, tmp_path,
                                          capsys):
    """CLI export of student + projector + TSB; onnxruntime vs the paper's
    equations on the checkpoint's tensors: embeddings to 1e-4, same top-1.
    """
    import onnx
    cache = str(tmp_path / 'tsb')
    _, ckpt = write_run(str(tmp_path), tiny_clip, cache, student, SIZE)
    out = str(tmp_path / 'clf.onnx')
    report = run_tool('deployment/export_onnx.py',
                      [ckpt, out, '--classes', 'sneaker,sandal,boot'])
    assert 'onnxruntime matches PyTorch' in capsys.readouterr().out
    assert report['top1_equal'] and report['max_abs_diff'] <= 1e-4
    classes = ['sneaker', 'sandal', 'boot']
    _, embedding, logits = _reference(ckpt, _tsb_weight(cache, classes))
    x = _x()
    got_logits, got_z = _run_onnx(out, x)
    torch.testing.assert_close(got_z, embedding(x), atol=1e-4, rtol=0)
    want = logits(x)
    assert got_logits.shape == (5, 3)
    assert torch.equal(got_logits.argmax(1), want.argmax(1))
    torch.testing.assert_close(got_logits, want, atol=1e-4 * 100, rtol=0)

    proto = onnx.load(out)
    assert proto.opset_import[0].version == onnx.defs.onnx_opset_version()
    meta = {p.key: json.loads(p.value) for p in proto.metadata_props}
    assert meta['classes'] == classes and meta['part'] == 'zero-shot'
    assert meta['preprocess']['to_rgb'] is True
    assert meta['input_shape'] == ['batch', 3, SIZE, SIZE]


def test_backbone_export_from_backbone_only_checkpoint(tiny_clip, tmp_path):
    _, ckpt = write_run(str(tmp_path), tiny_clip, str(tmp_path / 'tsb'))
    student = str(tmp_path / 'student.pth')
    extract_student_main([ckpt, student])  # backbone only
    out = str(tmp_path / 'features.onnx')
    main = functools.partial(run_tool, 'deployment/export_onnx.py')
    main([student, out, '--part', 'backbone'])
    pooled, _, _ = _reference(student)
    x = _x()
    (got, ) = _run_onnx(out, x)
    torch.testing.assert_close(got, pooled(x), atol=1e-4, rtol=0)

    # an existing output is refused before any work, and kept
    before = open(out, 'rb').read()
    with pytest.raises(FileExistsError, match='--force'):
        main([student, out, '--part', 'backbone', '--fp16'])
    assert open(out, 'rb').read() == before


@pytest.mark.e2e
def test_fp16_export(tiny_clip, tmp_path):
    """--fp16: float16 weights, float32 input/output, close to float32."""
    import onnx
    _, ckpt = write_run(str(tmp_path), tiny_clip, str(tmp_path / 'tsb'))
    out = str(tmp_path / 'features.onnx')
    run_tool('deployment/export_onnx.py',
             [ckpt, out, '--part', 'backbone', '--fp16'])
    pooled, _, _ = _reference(ckpt)
    x = _x()
    proto = onnx.load(out)
    assert any(t.data_type == onnx.TensorProto.FLOAT16
               for t in proto.graph.initializer)
    (half, ) = _run_onnx(out, x)
    assert half.dtype == torch.float32
    torch.testing.assert_close(half, pooled(x), atol=2e-2, rtol=2e-2)


def test_tsb_dimension_must_match_projector(tsb16_run, tmp_path):
    cfg16, ckpt = tsb16_run
    with pytest.raises(ValueError, match=r'TSB has dimension 16 .* '
                       r'outputs 32-d'):
        export_onnx(cfg16, str(tmp_path / 'x.onnx'), ckpt)
    assert not osp.exists(tmp_path / 'x.onnx')


def test_missing_onnx_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, 'onnxruntime', None)
    with pytest.raises(ImportError, match='requirements/deploy.txt'):
        require_onnx()
