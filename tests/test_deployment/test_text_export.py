"""--part text: the run's text encoder as ONNX; TSB rows built from it with
onnxruntime and the open_clip tokenizer (the recipe in the metadata and
docs/deployment.md) equal tools/build_tsb.py's for the same names."""
import functools
import json

import numpy as np
import pytest
from _deploy_helpers import TEMPLATES, run_tool, write_run

pytest.importorskip('onnx')
ort = pytest.importorskip('onnxruntime')
pytest.importorskip('onnxscript')

from mmlgd.cli.build_tsb import main as build_tsb_main  # noqa: E402

NEW_NAMES = ['kayak', 'lighthouse', 'teapot']


@pytest.mark.e2e
def test_text_graph_builds_the_tsb_of_new_names(tiny_clip, tmp_path):
    import onnx
    import open_clip
    _, ckpt = write_run(str(tmp_path / 'run'), tiny_clip,
                        str(tmp_path / 'tsb'))
    export = functools.partial(run_tool, 'deployment/export_onnx.py')
    with pytest.raises(ValueError, match='drop --classes'):
        export([ckpt, str(tmp_path / 'x.onnx'), '--part', 'text',
                '--classes', 'a,b'])
    out = str(tmp_path / 'text.onnx')
    export([ckpt, out, '--part', 'text'])
    meta = {p.key: json.loads(p.value) for p in onnx.load(out).metadata_props}
    assert meta['part'] == 'text' and meta['templates'] == TEMPLATES
    tok_meta = meta['tokenizer']
    assert tok_meta['context_length'] == 77
    assert meta['input_shape'] == ['batch', 77]

    tokenizer = open_clip.get_tokenizer(tok_meta['model_name'])
    sess = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    rows = []
    for name in NEW_NAMES:
        tokens = tokenizer([t.format(name) for t in meta['templates']])
        (e, ) = sess.run(['text_embedding'], {'input': tokens.numpy()})
        row = e.mean(0)
        rows.append(row / np.linalg.norm(row))

    npy = str(tmp_path / 'tsb.npy')
    build_tsb_main([ckpt, '--classes', ','.join(NEW_NAMES), '--out', npy])
    np.testing.assert_allclose(np.stack(rows), np.load(npy), atol=1e-5,
                               rtol=0)
