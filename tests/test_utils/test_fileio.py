"""Tests for mmlgd.utils.fileio (atomic writes, overwrite refusal)."""
import json
import os
import stat

import pytest

from mmlgd.utils.fileio import (
    atomic_open,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    check_output_dir,
)


def _leftovers(directory):
    return sorted(f for f in os.listdir(directory) if f.endswith('.tmp'))


def test_writes_content_and_creates_parents(tmp_path):
    p = tmp_path / 'a' / 'b' / 'x.bin'
    atomic_write_bytes(p, b'\x00\x01abc')
    assert p.read_bytes() == b'\x00\x01abc'
    atomic_write_text(tmp_path / 't.txt', 'h\u00e9\r\nllo')
    assert (tmp_path / 't.txt').read_bytes() == 'h\u00e9\r\nllo'.encode()
    atomic_write_json(tmp_path / 'j.json', {'k': [1, 2], 'n': 'caf\u00e9'})
    text = (tmp_path / 'j.json').read_text(encoding='utf-8')
    assert json.loads(text) == {'k': [1, 2], 'n': 'caf\u00e9'}
    assert text.endswith('\n')
    assert _leftovers(tmp_path) == [] and _leftovers(p.parent) == []


def test_new_file_permissions_follow_umask(tmp_path):
    old = os.umask(0o022)
    os.umask(old)
    p = tmp_path / 'perm.bin'
    atomic_write_bytes(p, b'x')
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o666 & ~old
    os.chmod(p, 0o640)
    atomic_write_bytes(p, b'y')  # a replaced file keeps its mode
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o640


def test_failing_write_keeps_previous_file(tmp_path):
    p = tmp_path / 'data.bin'
    atomic_write_bytes(p, b'old content')
    with pytest.raises(RuntimeError, match='boom'):
        with atomic_open(p, 'wb') as f:
            f.write(b'new partial')
            raise RuntimeError('boom')
    assert p.read_bytes() == b'old content'
    assert _leftovers(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == ['data.bin']


def test_unserialisable_json_keeps_previous_file(tmp_path):
    p = tmp_path / 'c.json'
    atomic_write_json(p, {'a': 1})
    with pytest.raises(TypeError):
        atomic_write_json(p, {'a': object()})
    assert json.loads(p.read_text()) == {'a': 1}
    assert _leftovers(tmp_path) == []


def test_failing_write_of_new_file_leaves_nothing(tmp_path):
    p = tmp_path / 'new.txt'
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(p, 'w') as f:
            f.write('half')
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize('writer, payload', [
    (atomic_write_bytes, b'new'),
    (atomic_write_text, 'new'),
    (atomic_write_json, {'new': True}),
])
def test_overwrite_refused_without_force(tmp_path, writer, payload):
    p = tmp_path / 'out.dat'
    p.write_bytes(b'keep me')
    with pytest.raises(FileExistsError) as e:
        writer(p, payload, force=False)
    assert str(p) in str(e.value) and '--force' in str(e.value)
    assert p.read_bytes() == b'keep me'
    assert _leftovers(tmp_path) == []
    writer(p, payload, force=True)
    assert p.read_bytes() != b'keep me'


def test_force_false_creates_missing_file(tmp_path):
    p = tmp_path / 'fresh.txt'
    atomic_write_text(p, 'one', force=False)
    assert p.read_text() == 'one'


def test_file_appearing_during_write_is_not_overwritten(tmp_path):
    p = tmp_path / 'race.txt'
    with pytest.raises(FileExistsError, match='--force'):
        with atomic_open(p, 'w', force=False) as f:
            f.write('mine')
            p.write_text('theirs')  # another writer wins the race
    assert p.read_text() == 'theirs'
    assert _leftovers(tmp_path) == []


def test_bad_mode_and_directory_target(tmp_path):
    with pytest.raises(ValueError, match='mode'):
        with atomic_open(tmp_path / 'x', 'ab'):
            pass
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path, b'x')


def test_check_output_dir(tmp_path):
    out = tmp_path / 'out'
    cfg = {'seed': 0, 'sizes': (1, 2)}
    assert check_output_dir(out, 'marker.json', cfg) is False  # missing
    out.mkdir()
    assert check_output_dir(out, 'marker.json', cfg) is False  # empty
    (out / 'a.bin').write_bytes(b'x')
    with pytest.raises(FileExistsError, match='no marker.json') as e:
        check_output_dir(out, 'marker.json', cfg)  # files, no marker
    assert str(out) in str(e.value) and '--force' in str(e.value)
    assert check_output_dir(out, 'marker.json', cfg, force=True) is False
    atomic_write_json(out / 'marker.json', {'config': cfg})
    assert check_output_dir(out, 'marker.json', cfg, ['a.bin']) is True
    # same config but an expected file is gone: rebuild, no force needed
    assert check_output_dir(out, 'marker.json', cfg, ['b.bin']) is False
    with pytest.raises(FileExistsError, match=r"differs in \['seed'\]"):
        check_output_dir(out, 'marker.json', {**cfg, 'seed': 1})
    assert check_output_dir(out, 'marker.json', {**cfg, 'seed': 1},
                            force=True) is False


def test_umask_is_read_at_write_time(tmp_path):
    """A umask set after ``import mmlgd`` applies (it is not cached at
    import, and importing does not touch it)."""
    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / 'late.bin', b'x')
        assert os.umask(0o027) == 0o027  # the write left the umask alone
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / 'late.bin').st_mode) == 0o640


def test_file_sha256_memo_and_fresh(tmp_path):
    import hashlib

    from mmlgd.utils.hashing import file_sha256
    p = tmp_path / 'w.bin'
    p.write_bytes(b'first')
    st = os.stat(p)
    assert file_sha256(str(p)) == hashlib.sha256(b'first').hexdigest()
    # same size and mtime, new content: only memo=False sees it
    p.write_bytes(b'other')
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert file_sha256(str(p)) == hashlib.sha256(b'first').hexdigest()
    assert file_sha256(str(p), memo=False) == \
        hashlib.sha256(b'other').hexdigest()
