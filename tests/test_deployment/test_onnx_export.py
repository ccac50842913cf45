"""ONNX export of each paper student: onnxruntime vs an independent PyTorch
reference (embeddings to 1e-4, same top-1 logits), dynamic batch, errors.
"""
import json
import os.path as osp
import sys

import pytest
import torch
import torch.nn.functional as F
from conftest import CLASSES, STUDENTS, load_tool, write_run

pytest.importorskip('onnx')
ort = pytest.importorskip('onnxruntime')
pytest.importorskip('onnxscript')

from mmlgd.deployment import export_onnx, require_onnx  # noqa: E402

SIZE = 32  # small input: fast; the benchmark uses 224


def _run_onnx(path, x):
    sess = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    return torch.from_numpy(sess.run(None, {'input': x.numpy()})[0])


def _reference(ckpt, tsb_weight):
    """Pooled features and logits from the checkpoint's tensors, computed
    with the paper's equations: GAP, Linear-ReLU-Linear, L2 norm,
    100 * z L^T."""
    from mmpretrain.registry import MODELS
    from mmengine.config import Config
    raw = torch.load(ckpt, weights_only=True)
    cfg = Config.fromstring(raw['meta']['cfg'], '.py')
    state = raw['state_dict']
    backbone = MODELS.build(cfg.model.backbone).eval()
    backbone.load_state_dict({k[9:]: v for k, v in state.items()
                              if k.startswith('backbone.')})

    def pooled(x):
        with torch.no_grad():
            return backbone(x)[-1].mean(dim=(2, 3))

    def logits(x):
        h = F.relu(F.linear(pooled(x), state['neck.projector.0.weight'],
                            state['neck.projector.0.bias']))
        z = F.normalize(F.linear(h, state['neck.projector.2.weight'],
                                 state['neck.projector.2.bias']), dim=1)
        return 100.0 * z @ tsb_weight.T
    return pooled, logits


def _tsb_weight(cache):
    """The cached TSB the export used (written by the TSB cache)."""
    import glob
    (path, ) = glob.glob(osp.join(cache, 'tsb-*.pt'))
    entry = torch.load(path, weights_only=True)
    assert entry['classes'] == CLASSES
    return entry['tsb']


@pytest.mark.parametrize('student', sorted(STUDENTS))
def test_student_exports_match_pytorch(student, tiny_clip, tmp_path):
    cache = str(tmp_path / 'tsb')
    _, ckpt = write_run(str(tmp_path), tiny_clip, cache, student, SIZE)
    emb = str(tmp_path / 'emb.onnx')
    rep = export_onnx(ckpt, emb, part='backbone')
    assert rep['max_abs_diff'] <= 1e-4 and rep['input_shape'] == [1, 3, 32,
                                                                   32]
    clf = str(tmp_path / 'clf.onnx')
    rep = export_onnx(ckpt, clf, part='zero-shot')
    assert rep['classes'] == CLASSES and rep['top1_equal']
    pooled, logits = _reference(ckpt, _tsb_weight(cache))
    x = torch.randn(5, 3, SIZE, SIZE, generator=torch.Generator()
                    .manual_seed(1))  # batch 5: not the export's 2
    torch.testing.assert_close(_run_onnx(emb, x), pooled(x), atol=1e-4,
                               rtol=0)
    got, want = _run_onnx(clf, x), logits(x)
    assert got.shape == (5, len(CLASSES))
    assert torch.equal(got.argmax(1), want.argmax(1))
    torch.testing.assert_close(got, want, atol=1e-4 * 100, rtol=0)


def test_metadata_opset_and_cli(tiny_clip, tmp_path, capsys):
    import onnx
    _, ckpt = write_run(str(tmp_path), tiny_clip, str(tmp_path / 'tsb'))
    out = str(tmp_path / 'clf.onnx')
    main = load_tool('deployment/export_onnx.py').main
    report = main([ckpt, out, '--classes', 'sneaker,sandal,boot'])
    assert 'onnxruntime matches PyTorch' in capsys.readouterr().out
    proto = onnx.load(out)
    assert proto.opset_import[0].version == onnx.defs.onnx_opset_version()
    meta = {p.key: json.loads(p.value) for p in proto.metadata_props}
    assert meta['classes'] == ['sneaker', 'sandal', 'boot']
    assert meta['preprocess']['to_rgb'] is True
    assert meta['input_shape'] == ['batch', 3, 32, 32]
    assert report['classes'] == meta['classes']

    # an existing output is refused before any work, and kept
    before = open(out, 'rb').read()
    with pytest.raises(FileExistsError, match='--force'):
        main([ckpt, out, '--part', 'backbone'])
    assert open(out, 'rb').read() == before
    main([ckpt, out, '--part', 'backbone', '--force', '--fp16'])
    proto = onnx.load(out)
    assert any(t.data_type == onnx.TensorProto.FLOAT16
               for t in proto.graph.initializer)


def test_tsb_dimension_must_match_projector(tiny_clip, tiny_clip16,
                                            tmp_path):
    cfg16, _ = write_run(str(tmp_path / 'a'), tiny_clip,
                         str(tmp_path / 'tsb'), encoder_clip=tiny_clip16)
    _, ckpt = write_run(str(tmp_path / 'b'), tiny_clip,
                        str(tmp_path / 'tsb'))
    with pytest.raises(ValueError, match=r'TSB has dimension 16 .* '
                       r'outputs 32-d'):
        export_onnx(cfg16, str(tmp_path / 'x.onnx'), ckpt)
    assert not osp.exists(tmp_path / 'x.onnx')


def test_missing_onnx_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, 'onnxruntime', None)
    with pytest.raises(ImportError, match='requirements/deploy.txt'):
        require_onnx()
