"""The configs ship inside the package (``mmlgd/.mim/configs``, as
mmpretrain's ``.mim``): a built wheel holds them as real files, and the
lookup finds them from any directory, without a checkout."""
import json
import os
import os.path as osp
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# What a build reads (setup.py, MANIFEST.in, pyproject.toml, requirements).
BUILD_FILES = ('setup.py', 'pyproject.toml', 'MANIFEST.in', 'README.md',
               'LICENSE', 'requirements.txt')
BUILD_DIRS = ('mmlgd', 'configs', 'requirements')
NAME = 'fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'

LOOKUP = r'''
import json, os, sys
from mmengine.config import Config
import mmlgd
from mmlgd.utils.configs import config_path, configs_root
cfg = Config.fromfile(config_path(sys.argv[1]))  # _base_ resolved too
print(json.dumps(dict(package=mmlgd.__file__, root=configs_root(),
                      root_is_link=os.path.islink(configs_root()),
                      model=cfg.model.type, cwd=os.getcwd())))
'''


def _shipped_configs():
    """Files under configs/ that the package must carry (relative)."""
    out = []
    for folder, _, files in os.walk(osp.join(ROOT, 'configs')):
        out += [osp.relpath(osp.join(folder, f), osp.join(ROOT, 'configs'))
                for f in files if f.endswith(('.py', '.md', '.yml'))]
    return sorted(out)


def test_checkout_link_points_at_the_configs():
    from mmlgd.utils.configs import config_path, configs_root
    assert osp.samefile(configs_root(), osp.join(ROOT, 'configs'))
    assert osp.samefile(config_path('configs/' + NAME),
                        osp.join(ROOT, 'configs', NAME))
    with pytest.raises(FileNotFoundError, match='no shipped config'):
        config_path('fashion_mnist/no_such_config.py')


@pytest.mark.e2e
def test_wheel_ships_configs_and_lookup_works_elsewhere(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    for name in BUILD_FILES:
        if osp.exists(osp.join(ROOT, name)):
            shutil.copy2(osp.join(ROOT, name), src / name)
    skip = shutil.ignore_patterns('__pycache__', '*.pyc', '*.egg-info')
    for name in BUILD_DIRS:  # symlinks=True: the copy keeps the .mim link
        shutil.copytree(osp.join(ROOT, name), src / name, symlinks=True,
                        ignore=skip)
    assert osp.islink(src / 'mmlgd' / '.mim' / 'configs')
    dist = tmp_path / 'dist'
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps',
                    '--no-build-isolation', '-q', '-w', str(dist), '.'],
                   cwd=src, check=True, capture_output=True, timeout=600)
    (wheel, ) = dist.glob('mmlgd-*.whl')

    prefix = 'mmlgd/.mim/configs/'
    with zipfile.ZipFile(wheel) as archive:
        infos = {i.filename[len(prefix):]: i for i in archive.infolist()
                 if i.filename.startswith(prefix)}
        want = _shipped_configs()
        assert sorted(infos) == want
        for rel in (NAME, '_base_/default_runtime.py'):
            info = infos[rel]
            assert stat.S_ISREG(info.external_attr >> 16), rel  # no link
            with open(osp.join(ROOT, 'configs', rel), 'rb') as f:
                assert archive.read(info) == f.read(), rel
        archive.extractall(tmp_path / 'unpacked')

    elsewhere = tmp_path / 'elsewhere'  # no configs/ here or above
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(tmp_path / 'unpacked'))
    out = subprocess.run([sys.executable, '-c', LOOKUP, NAME], cwd=elsewhere,
                         env=env, check=True, capture_output=True, text=True,
                         timeout=300)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    unpacked = str(tmp_path / 'unpacked')
    assert got['package'].startswith(unpacked)  # the wheel's mmlgd
    assert got['root'] == osp.join(unpacked, 'mmlgd', '.mim', 'configs')
    assert not got['root_is_link'] and got['model'] == 'LGD'
    assert osp.samefile(got['cwd'], elsewhere)
