"""The one exit convention of the command lines (:mod:`mmlgd.cli.errors`):
user errors -> one ``error:`` line on stderr and status 1, no traceback;
Ctrl-C -> 130 with what was kept; argparse errors stay 2; bugs keep their
traceback."""
import os
import pickle
import subprocess
import sys

import pytest

from mmlgd.cli.errors import CliError, Interrupted, cli_main


def _raiser(exc):
    @cli_main
    def main(argv=None):
        raise exc
    return main


@pytest.mark.parametrize('exc', [
    ValueError('bad --seed -1; use a seed >= 0'),
    FileNotFoundError('x.pth does not exist'),
    FileExistsError('out.pth exists; pass --force'),
    RuntimeError('encoder weights missing'),
    ImportError('onnxruntime is needed: pip install onnxruntime'),
    pickle.UnpicklingError('unsafe global builtins.getattr'),
    CliError('refusing without --trust'),
])
def test_user_error_is_one_line_status_1(exc, capsys):
    with pytest.raises(SystemExit) as info:
        _raiser(exc)([])
    err = capsys.readouterr().err
    assert info.value.code == 1
    assert err == f'error: {exc}\n'
    assert str(info.value) == f'error: {exc}'  # for callers and tests


def test_multi_line_message_becomes_one_line(capsys):
    with pytest.raises(SystemExit):
        _raiser(ValueError('first line\n  second line\n'))([])
    assert capsys.readouterr().err == 'error: first line second line\n'


def test_own_code_and_extra_types(capsys):
    with pytest.raises(SystemExit) as info:
        _raiser(CliError('not ready', code=3))([])
    assert info.value.code == 3

    @cli_main(extra=(KeyError,))
    def main(argv=None):
        raise KeyError('This config has no model.tsb.')
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 1
    assert capsys.readouterr().err.endswith(
        'error: This config has no model.tsb.\n')  # no KeyError quotes


def test_bug_keeps_its_traceback():
    with pytest.raises(KeyError):  # not a user error unless `extra` says so
        _raiser(KeyError('x'))([])
    with pytest.raises(ZeroDivisionError):
        _raiser(ZeroDivisionError())([])


def test_interrupt_is_130_with_what_was_kept(capsys):
    with pytest.raises(SystemExit) as info:
        _raiser(KeyboardInterrupt())([])
    assert info.value.code == 130
    assert capsys.readouterr().err == 'error: interrupted.\n'

    @cli_main
    def main(argv=None):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise Interrupted('The complete shards in c/ are kept.') from None
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 130
    assert capsys.readouterr().err == (
        'error: interrupted. The complete shards in c/ are kept.\n')


def test_success_status_and_argparse_errors(capsys):
    from mmlgd.cli.parser import make_parser

    @cli_main
    def main(argv=None):
        parser = make_parser('demo')
        parser.add_argument('--n', type=int, help='the status')
        args = parser.parse_args(argv)
        return None if args.n is None else args.n

    assert main([]) == 0
    assert main(['--n', '4']) == 4
    with pytest.raises(SystemExit) as info:
        main(['--nope'])
    assert info.value.code == 2  # argparse's usage error, unchanged


def test_parsed_args_mode(capsys):
    """``@cli_main(parser=...)``: ``main`` gets the Namespace; parsing
    errors stay argparse's (status 2)."""
    from mmlgd.cli.parser import add_force, make_parser

    def build_parser():
        parser = make_parser('demo')
        add_force(parser, 'OUT')
        return parser

    @cli_main(parser=build_parser)
    def main(args):
        if not args.force:
            raise FileExistsError('OUT exists; pass --force')
    assert main(['--force']) == 0
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 1
    assert capsys.readouterr().err == 'error: OUT exists; pass --force\n'
    with pytest.raises(SystemExit) as info:
        main(['--forse'])
    assert info.value.code == 2


def test_non_int_return_is_a_bug():
    @cli_main
    def main(argv=None):
        return {'metrics': 1}
    with pytest.raises(TypeError, match='None or an exit status'):
        main([])


def test_traceback_on_request(monkeypatch):
    monkeypatch.setenv('MMLGD_TRACEBACK', '1')
    with pytest.raises(ValueError):
        _raiser(ValueError('x'))([])


@pytest.mark.e2e
def test_process_exit_status_and_stderr(tmp_path):
    """What a shell sees from ``sys.exit(main())``: status 1, one stderr
    line, no traceback."""
    script = tmp_path / 'tool.py'
    script.write_text(
        'import sys\nfrom mmlgd.cli.errors import cli_main\n'
        '@cli_main\ndef main(argv=None):\n'
        "    raise FileNotFoundError('x.pth does not exist')\n"
        'sys.exit(main())\n')
    proc = subprocess.run([sys.executable, str(script)], capture_output=True,
                          text=True, env=dict(os.environ))
    assert proc.returncode == 1
    assert proc.stderr == 'error: x.pth does not exist\n'
