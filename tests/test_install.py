"""Requirements files: parseable by setup.py, and one pinned stack."""
import importlib.metadata as md
import os.path as osp
import runpy

import pytest
import setuptools
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
REQ_FILES = ('build.txt', 'constraints.txt', 'mminstall.txt', 'optional.txt',
             'runtime.txt', 'tests.txt')


@pytest.fixture(scope='module')
def setup_py(monkeypatch_module):
    """Run setup.py with ``setuptools.setup`` replaced by a recorder."""
    recorded = {}
    monkeypatch_module.setattr(setuptools, 'setup', recorded.update)
    namespace = runpy.run_path(osp.join(ROOT, 'setup.py'))
    return namespace, recorded


@pytest.fixture(scope='module')
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _reqs(namespace, fname):
    return {canonicalize_name(r.name): r for r in
            map(Requirement, namespace['parse_requirements'](fname))}


@pytest.mark.parametrize('fname', REQ_FILES)
def test_requirement_files_parse(setup_py, fname):
    lines = setup_py[0]['parse_requirements'](fname)
    assert lines, f'requirements/{fname} is empty'
    for line in lines:
        Requirement(line)  # raises InvalidRequirement on a malformed line


def test_setup_declares_runtime_and_mm_requirements(setup_py):
    namespace, kwargs = setup_py
    names = {canonicalize_name(Requirement(r).name)
             for r in kwargs['install_requires']}
    assert {'torch', 'mmcv', 'mmengine', 'mmpretrain', 'mmdet',
            'mmsegmentation', 'open-clip-torch'} <= names
    tests = {canonicalize_name(Requirement(r).name)
             for r in kwargs['extras_require']['tests']}
    assert 'pytest' in tests


def test_constraints_pin_the_stack(setup_py):
    pins = _reqs(setup_py[0], 'constraints.txt')
    assert str(pins['torch'].specifier) == '==2.14.1'
    assert str(pins['mmcv'].specifier) == '==2.1.0'
    mm = _reqs(setup_py[0], 'mminstall.txt')
    assert {'mmcv', 'mmengine', 'mmpretrain', 'mmdet', 'mmsegmentation'} \
        <= set(mm)
    for name, req in mm.items():
        assert name in pins, f'{name} from mminstall.txt is not pinned'
        (pin, ) = pins[name].specifier
        assert pin.operator == '==', f'{name} pinned with {pin}'
        assert req.specifier.contains(pin.version), \
            f'{name}=={pin.version} violates mminstall.txt ({req})'


def test_installed_stack_matches_constraints(setup_py):
    pins = _reqs(setup_py[0], 'constraints.txt')
    for name in ('torch', 'torchvision', 'mmcv', 'mmengine', 'mmpretrain',
                 'mmdet', 'mmsegmentation'):
        (pin, ) = pins[name].specifier
        have = md.version(name).split('+')[0]
        assert have == pin.version, \
            f'{name} {have} installed, {pin.version} pinned: run make install'


def test_open_clip_pinned_to_the_tested_major(setup_py):
    """open_clip is held below the next major version, and the installed
    one is inside the range (the code is tested against it)."""
    (req, ) = [r for n, r in _reqs(setup_py[0], 'runtime.txt').items()
               if n == 'open-clip-torch']
    installed = md.version('open_clip_torch')
    major = int(installed.split('.')[0])
    assert req.specifier.contains(installed)
    assert not req.specifier.contains(f'{major + 1}.0.0')
