"""The all-keys-missing error of the pretrained-load check names the likely
cause (issue 21.10): another architecture (both named) or a prefix."""
import pytest
import torch
from mmpretrain.models import MobileNetV2, ResNet

from mmlgd.utils.pretrained_check import (
    check_pretrained_init,
    guess_architecture,
)


def _save(tmp_path, state, prefix):
    path = str(tmp_path / 'ckpt.pth')
    torch.save({'state_dict': {prefix + k: v for k, v in state.items()}},
               path)
    return path


def test_guesses_from_key_names():
    assert guess_architecture(ResNet(18).state_dict()) == 'ResNet-18'
    assert guess_architecture(ResNet(50).state_dict()) == 'ResNet-50'
    assert guess_architecture(MobileNetV2().state_dict()).startswith(
        'MobileNetV2')
    assert guess_architecture(['visual.conv1.weight']).startswith('a CLIP')
    assert guess_architecture(['foo.weight']) is None


def test_wrong_architecture_is_named(tmp_path):
    path = _save(tmp_path, ResNet(18).state_dict(), 'backbone.')
    model = MobileNetV2(init_cfg=dict(type='Pretrained', checkpoint=path,
                                      prefix='backbone.'))
    with pytest.raises(RuntimeError) as err:
        check_pretrained_init(model, check_values=False)
    msg = str(err.value)
    n = len(model.state_dict())
    assert f'{n} of {n} parameters/buffers are missing' in msg
    assert 'looks like ResNet-18' in msg
    assert 'the model is MobileNetV2' in msg
    assert 'another architecture' in msg


def test_extra_prefix_is_named(tmp_path):
    path = _save(tmp_path, ResNet(18).state_dict(), 'backbone.student.')
    model = ResNet(18, init_cfg=dict(type='Pretrained', checkpoint=path,
                                     prefix='backbone.'))
    with pytest.raises(RuntimeError, match="further prefix 'student.'"):
        check_pretrained_init(model, check_values=False)
