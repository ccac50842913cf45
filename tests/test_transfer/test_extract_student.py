"""tools/extract_student.py: LGD checkpoint -> backbone-only checkpoint."""
import hashlib

import pytest
import torch

from mmlgd.cli.extract_student import main as extract_student_main


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_mmpretrain_format(tmp_path, tools, lgd_ckpt, capsys):
    src, sd = lgd_ckpt('r18')
    dst = str(tmp_path / 'out' / 'r18.pth')
    assert extract_student_main([src, dst]) == 0
    out = capsys.readouterr().out
    assert f'{len(sd)} tensors' in out
    assert f'sha256={sha256(dst)}' in out

    ckpt = torch.load(dst, weights_only=True)
    assert len(ckpt['state_dict']) == len(sd) == 120  # ResNet-18
    assert set(ckpt) == {'meta', 'state_dict'}
    state = ckpt['state_dict']
    assert set(state) == {f'backbone.{k}' for k in sd}  # no neck.* / banks
    assert all(torch.equal(state[f'backbone.{k}'], v) for k, v in sd.items())
    meta = ckpt['meta']
    assert meta['source'] == src and meta['source_sha256'] == sha256(src)
    assert meta['format'] == 'mmpretrain' and meta['prefix'] == 'backbone.'
    assert meta['mmlgd_version'] and meta['created'].endswith('+00:00')
    assert meta['source_meta']['epoch'] == 200


def test_refuses_to_overwrite(tmp_path, tools, lgd_ckpt):
    src, _ = lgd_ckpt('r18')
    dst = tmp_path / 'r18.pth'
    dst.write_bytes(b'precious')
    with pytest.raises(SystemExit) as err:  # error: ..., status 1
        extract_student_main([src, str(dst)])
    assert err.value.code == 1
    assert str(dst) in str(err.value) and '--force' in str(err.value)
    assert dst.read_bytes() == b'precious'
    info = tools.extract_student.extract_student(src, str(dst), force=True)
    assert info['sha256'] == sha256(dst)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]


def test_torchvision_format_matches_mmpretrain(tmp_path, tools, lgd_ckpt,
                                               tiny):
    import torchvision
    src, sd = lgd_ckpt('r18')
    dst = str(tmp_path / 'r18_tv.pth')
    info = tools.extract_student.extract_student(src, dst, 'torchvision')
    ckpt = torch.load(dst, weights_only=True)
    assert ckpt['meta']['format'] == 'torchvision'
    assert info['num_tensors'] == len(ckpt['state_dict']) == len(sd)

    tv = torchvision.models.resnet18(weights=None)
    tv.fc = torch.nn.Identity()  # the student has no classifier
    tv.load_state_dict(ckpt['state_dict'], strict=True)
    tv_features = torch.nn.Sequential(*list(tv.children())[:-2]).eval()

    mm = tiny.build_student('r18')
    mm.load_state_dict(sd, strict=True)
    mm.eval()  # (mmpretrain's train() returns None: no chaining)
    x = torch.randn(2, 3, 96, 96, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref = mm(x)[-1]  # final stage, (2, 512, 3, 3)
        got = tv_features(x)
    assert ref.shape == got.shape == (2, 512, 3, 3)
    torch.testing.assert_close(got, ref, atol=1e-5, rtol=0)


def test_torchvision_format_rejects_mobilenet(tmp_path, tools, lgd_ckpt):
    src, _ = lgd_ckpt('mbv2')
    dst = tmp_path / 'mbv2_tv.pth'
    with pytest.raises(ValueError, match='plain ResNet students only'):
        tools.extract_student.extract_student(src, str(dst), 'torchvision')
    assert not dst.exists()
    info = tools.extract_student.extract_student(src, str(dst))
    assert info['num_tensors'] == len(
        tools.extract_student.safe_torch_load(src)['state_dict']) - 6


def test_rejects_non_lgd_checkpoint(tmp_path, tools, lgd_ckpt):
    _, sd = lgd_ckpt('r18')
    src = str(tmp_path / 'plain.pth')
    torch.save({'state_dict': sd}, src)
    with pytest.raises(ValueError, match=r"has no 'backbone\.\*' keys"):
        tools.extract_student.extract_student(src, str(tmp_path / 'o.pth'))
    with pytest.raises(ValueError, match='Unknown format'):
        tools.extract_student.extract_student(src, str(tmp_path / 'o.pth'),
                                              'timm')
