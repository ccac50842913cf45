"""tools/infer.py over a folder with unreadable files: without --skip-bad
the error names the bad file; with it the readable images are classified
(the same as without the bad files) and the bad ones listed at the end."""
import json
import os.path as osp

import numpy as np
import pytest
from _deploy_helpers import load_tool, run_tool, write_run

GOOD = ['a.png', 'b.png', 'd.png']


@pytest.fixture
def folder_with_bad_files(tmp_path):
    import mmcv
    root = tmp_path / 'photos'
    rng = np.random.default_rng(0)
    for name, hw in zip(GOOD, [(40, 40), (24, 60), (70, 33)]):
        mmcv.imwrite(rng.integers(0, 256, (*hw, 3), dtype=np.uint8),
                     str(root / name))
    (root / 'broken.png').write_bytes(b'\x89PNG not really an image')
    (root / 'empty.jpg').write_bytes(b'')
    return root


def test_skip_bad(folder_with_bad_files, tiny_clip, tmp_path, capsys):
    _, ckpt = write_run(str(tmp_path / 'run'), tiny_clip,
                        str(tmp_path / 'tsb'))
    folder = str(folder_with_bad_files)

    with pytest.raises(SystemExit, match=r'error: Cannot read image .*'
                       r'broken\.png'):
        load_tool('infer.py').main([folder, '--checkpoint', ckpt])

    out = str(tmp_path / 'preds.json')
    rows = run_tool('infer.py', [folder, '--checkpoint', ckpt, '--skip-bad',
                                 '--out', out])
    printed = capsys.readouterr().out
    assert [osp.basename(r['image']) for r in rows] == GOOD
    tail = printed[printed.index('Skipped'):]
    assert tail.startswith('Skipped 2 unreadable image(s)')
    assert 'broken.png' in tail and 'empty.jpg' in tail
    with open(out) as f:
        saved = json.load(f)
    assert [osp.basename(s['image']) for s in saved['skipped']] == [
        'broken.png', 'empty.jpg']
    assert len(saved['results']) == 3

    # each kept result belongs to its own image: the same as a run on the
    # good files alone
    alone = run_tool('infer.py', [osp.join(folder, n) for n in GOOD]
                     + ['--checkpoint', ckpt])
    for got, want in zip(rows, alone):
        assert got['image'] == want['image']
        assert got['topk'] == want['topk']
