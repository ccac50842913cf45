"""``--classes`` of tools/infer.py and tools/deployment/export_onnx.py
(issue 21.4): a path-like value that is no file is an error, by the rule a
config's ``tsb.classes`` follows; names and existing files still work."""
import pytest

from mmlgd.apis import parse_classes
from mmlgd.cli import export_onnx as export_cli
from mmlgd.cli import infer as infer_cli
from mmlgd.models.text import resolve_classes


@pytest.mark.parametrize('text', ['names.txt', 'data/my_names',
                                  './Names.TXT'])
def test_path_like_value_that_is_no_file_is_refused(text):
    with pytest.raises(FileNotFoundError, match='Names file .* does not '
                       'exist'):
        parse_classes(text)
    with pytest.raises(FileNotFoundError, match='Names file'):
        resolve_classes(text)  # the config's rule: the same error


def test_names_sets_and_files_still_parse(tmp_path):
    f = tmp_path / 'names.txt'
    f.write_text('top\nbottom\n')
    assert parse_classes(str(f)) == str(f)
    assert parse_classes('coco') == 'coco'
    assert parse_classes('top, bottom') == ['top', 'bottom']
    assert parse_classes('T-shirt/top,Trouser') == ['T-shirt/top', 'Trouser']
    assert parse_classes('shoe') == ['shoe']


def test_both_command_lines_stop_with_the_message(tmp_path, capsys):
    missing = str(tmp_path / 'nmaes.txt')
    with pytest.raises(SystemExit) as err:
        infer_cli.main(['img.png', '--checkpoint', 'x.pth',
                            '--classes', missing])
    assert 'Names file' in str(err.value) and missing in str(err.value)
    with pytest.raises(SystemExit) as err:
        export_cli.main(['x.pth', str(tmp_path / 'o.onnx'),
                        '--classes', missing])
    assert 'Names file' in str(err.value)
