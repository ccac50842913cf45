"""tools/build_tsb.py precomputes exactly the TSB a config's run will use."""
import torch
from _tiny_clip import tiny_text_encoder
from mmpretrain.registry import MODELS

from mmlgd.cli.build_tsb import build_parser, run
from mmlgd.cli.build_tsb import main as build_tsb_main

CONFIG = 'configs/lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k-cityscapes-text.py'  # noqa


def test_build_tsb_then_training_hits_the_cache(tiny_clip, tsb_cache,
                                                capsys, monkeypatch):
    enc = tiny_text_encoder(tiny_clip)
    opts = [f'model.tsb.encoder.{k}={v}' for k, v in enc.items()]
    opts += [f'model.tsb.cache_dir={tsb_cache}',
             # (--cfg-options strips spaces inside list values)
             "model.tsb.templates=['photo:{}']"]
    tsb = run(build_parser().parse_args([CONFIG, '--cfg-options', *opts]))
    out = capsys.readouterr().out
    assert 'TSB shape: (19, 32)' in out and tsb.key in out
    assert tsb.classes[0] == 'road'

    # the same config's run now loads it without encoding anything
    from mmlgd.models.text import tsb as tsb_module

    def fail(*args, **kwargs):
        raise AssertionError('TSB was recomputed instead of loaded')

    monkeypatch.setattr(tsb_module, 'compute_tsb', fail)
    again = MODELS.build(dict(type='TextualSemanticsBank', encoder=enc,
                              classes='cityscapes',
                              templates=['photo:{}'],
                              cache_dir=tsb_cache))
    assert torch.equal(again.weight, tsb.weight)


def test_encoder_error_is_a_one_line_exit(tmp_path):
    """A bad weights path ends the tool with the encoder's message (what to
    fix), not a traceback."""
    import pytest
    missing = str(tmp_path / 'RN50.bin')
    with pytest.raises(SystemExit, match=r'^error: .*does not exist: '
                       'fix the path'):
        build_tsb_main([CONFIG, '--cfg-options',
                        f'model.tsb.encoder.pretrained={missing}'])
