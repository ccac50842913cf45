"""model-index.yml and the config folders' metafile.yml (OpenMMLab format):
every config listed once, paths real, no weights, results marked as the
paper's and equal to the table in configs/lgd/README.md."""
import glob
import os.path as osp
import re

import pytest
import yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load(path):
    with open(osp.join(REPO, path)) as f:
        return yaml.safe_load(f)


def _metafiles():
    return _load('model-index.yml')['Import']


FOLDERS = ('lgd', 'benchmarks', 'mask_rcnn', 'upernet')


def test_model_index_imports_every_folder_with_a_metafile():
    imports = _metafiles()
    assert sorted(imports) == sorted(
        osp.relpath(p, REPO)
        for p in glob.glob(f'{REPO}/configs/*/metafile.yml'))
    for path in imports:
        for m in _load(path)['Models']:
            assert osp.isfile(osp.join(REPO, m['Config'])), m['Config']
    for folder in FOLDERS:
        assert f'configs/{folder}/metafile.yml' in imports


@pytest.mark.parametrize('folder', FOLDERS)
def test_metafile_lists_each_config_once(folder):
    metafile = f'configs/{folder}/metafile.yml'
    meta = _load(metafile)
    folder = osp.dirname(metafile)
    (collection, ) = meta['Collections']
    assert osp.isfile(osp.join(REPO, collection['README']))
    assert collection['Paper']['URL'] == 'https://arxiv.org/abs/2406.11689'
    models = meta['Models']
    configs = [m['Config'] for m in models]
    assert sorted(configs) == sorted(
        osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/{folder}/*.py'))
    for m in models:
        assert m['Name'] == osp.basename(m['Config'])[:-3]
        assert m['In Collection'] == collection['Name']
        assert m['Weights'] is None
        for result in m['Results'] or []:
            assert set(result['Metrics']) == {'Top 1 Accuracy (paper)'}


def _readme_table():
    """(student, data, text, epochs) -> zero-shot IN-1k, CT-256 of the LGD
    rows of the paper's table in configs/lgd/README.md."""
    rows = {}
    with open(osp.join(REPO, 'configs/lgd/README.md')) as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if cells[0] == '**LGD**':
                rows[tuple(cells[2:6])] = (float(cells[6]), float(cells[7]))
    return rows


def test_lgd_metafile_numbers_match_readme_table():
    table = _readme_table()
    assert len(table) == 8
    names = {'resnet18': 'R18', 'mobilenet-v2': 'MNv2'}
    seen = 0
    for m in _load('configs/lgd/metafile.yml')['Models']:
        if not m['Results']:
            continue
        student, sched = re.match(
            r'lgd_clip-rn50_(.+)_8xb256-(\d+)e_', m['Name']).groups()
        data = 'CT-256' if m['Name'].endswith('_caltech256') else 'IN-1k'
        text = 'CT-256' if 'caltech256' in m['Name'] else 'IN-1k'
        got = {r['Dataset']: r['Metrics']['Top 1 Accuracy (paper)']
               for r in m['Results']}
        assert (got['ImageNet-1k'], got['Caltech-256']) == table[
            (names[student], data, text, sched)]
        seen += 1
    assert seen == 8


def test_every_config_listed_once_across_metafiles():
    """Each config of a folder with a metafile is a model of exactly one
    metafile (the Fashion-MNIST SEED config lives in configs/seed's)."""
    listed = [m['Config'] for path in _metafiles()
              for m in _load(path)['Models']]
    assert len(listed) == len(set(listed))
    for path in _metafiles():
        folder = osp.dirname(path)
        for cfg in glob.glob(f'{REPO}/{folder}/*.py'):
            assert osp.relpath(cfg, REPO) in listed, cfg
