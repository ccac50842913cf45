"""Every ``tools/*.py --help`` runs as users run it (its own process, from
another folder) and exits 0; the tools on :mod:`mmlgd.cli` show their
defaults, and every :mod:`mmlgd.cli` parser documents each option.

Each subprocess pays ``import mmlgd`` (about 7 s of CPU); they run a few at
a time."""
import argparse
import glob
import importlib
import os
import os.path as osp
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

import mmlgd.cli

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = sorted(osp.relpath(p, ROOT) for p in glob.glob(
    osp.join(ROOT, 'tools', '**', '*.py'), recursive=True))
CLI_MODULES = sorted(m.name for m in pkgutil.iter_modules(mmlgd.cli.__path__)
                     if m.name not in ('errors', 'parser'))


@pytest.fixture(scope='module')
def helps(tmp_path_factory):
    """tool -> (exit status, stdout, stderr), a few at a time."""
    cwd = tmp_path_factory.mktemp('elsewhere')  # not the checkout
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT] + [p for p in os.environ.get('PYTHONPATH', '').split(
            os.pathsep) if p]), OMP_NUM_THREADS='1')

    def run(tool):
        proc = subprocess.run([sys.executable, osp.join(ROOT, tool), '--help'],
                              cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600)
        return proc.returncode, proc.stdout, proc.stderr

    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1) as pool:
        return dict(zip(TOOLS, pool.map(run, TOOLS)))


def test_tools_found():
    assert 'tools/train.py' in TOOLS and len(TOOLS) >= 15, TOOLS


@pytest.mark.e2e
@pytest.mark.parametrize('tool', TOOLS)
def test_help_exits_0(tool, helps):
    status, out, err = helps[tool]
    assert status == 0, err[-2000:]
    assert out.startswith('usage: '), out[:500]
    with open(osp.join(ROOT, tool), encoding='utf-8') as f:
        source = f.read()
    if 'from mmlgd.cli.' in source:  # a tool on the one command-line layer
        assert 'sys.exit(main())' in source
        name = source.split('from mmlgd.cli.')[1].split()[0]
        parser = importlib.import_module(f'mmlgd.cli.{name}').build_parser()
        if any(a.default not in (None, False) for a in parser._actions
               if not isinstance(a, argparse._HelpAction)):
            assert '(default: ' in out, out


def _defaults_shown(parser: argparse.ArgumentParser) -> list:
    """Options whose default says something but is missing from --help."""
    text = ' '.join(parser.format_help().split())
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.help:
            missing.append(f'{action.dest}: no help')
        elif action.default not in (None, False) and \
                f'(default: {action.default})' not in text:
            missing.append(f'{action.dest}: default {action.default!r}')
    return missing


@pytest.mark.parametrize('name', CLI_MODULES)
def test_cli_module_documents_options_and_defaults(name):
    module = importlib.import_module(f'mmlgd.cli.{name}')
    assert callable(module.main)
    assert _defaults_shown(module.build_parser()) == []
