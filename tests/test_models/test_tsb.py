"""TSB: prompt ensembling values, caching (hit/miss/stale), encoders."""
import os

import pytest
import torch
import torch.nn.functional as F
from _tiny_clip import tiny_text_encoder, write_tiny_clip

from mmlgd.models import (
    OpenCLIPTextEncoder,
    SentenceTransformerTextEncoder,
    TextualSemanticsBank,
)
from mmlgd.models.text import tsb as tsb_module

TEMPLATES = ['a photo of a {}.', 'a drawing of a {}.', '{}']


def build(tiny_clip, cache, classes=('shirt', 'shoe', 'bag'),
          templates=TEMPLATES, encoder=None):
    return TextualSemanticsBank(
        encoder=encoder or tiny_text_encoder(tiny_clip),
        classes=list(classes), templates=list(templates), cache_dir=cache)


def test_prompt_ensemble_values(tiny_clip, tsb_cache):
    bank = build(tiny_clip, tsb_cache)
    enc = OpenCLIPTextEncoder(tiny_clip[0], tiny_clip[2],
                              model_config=tiny_clip[1])
    rows = []
    for name in ('shirt', 'shoe', 'bag'):
        e = F.normalize(enc.encode([t.format(name) for t in TEMPLATES]),
                        dim=1)
        rows.append(F.normalize(e.mean(0), dim=0))
    expected = torch.stack(rows)
    assert bank.weight.shape == (3, 32)
    torch.testing.assert_close(bank.weight, expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(bank.weight.norm(dim=1), torch.ones(3))


def test_forward_text_protocol(tiny_clip):
    """Newer open_clip's ``build_zero_shot_classifier`` calls
    ``model(text=tokens)`` and reads ``text_features`` (or item 1)."""
    enc = OpenCLIPTextEncoder(tiny_clip[0], tiny_clip[2],
                              model_config=tiny_clip[1])
    prompts = ['a photo of a shirt.', 'a shoe']
    out = enc(text=enc.tokenizer(prompts))
    feats = out['text_features'] if isinstance(out, dict) else out[1]
    torch.testing.assert_close(feats, enc.encode(prompts))
    torch.testing.assert_close(feats.norm(dim=1), torch.ones(2))


def test_cache_hit_and_miss(tiny_clip, tsb_cache, monkeypatch):
    calls = []
    real = tsb_module.compute_tsb

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(tsb_module, 'compute_tsb', counting)
    first = build(tiny_clip, tsb_cache)
    second = build(tiny_clip, tsb_cache)
    assert len(calls) == 1 and first.key == second.key
    assert torch.equal(first.weight, second.weight)
    # any changed input gives a new key and a fresh computation
    other_classes = build(tiny_clip, tsb_cache, classes=('shirt', 'coat'))
    other_templates = build(tiny_clip, tsb_cache, templates=['a {}.'])
    assert len(calls) == 3
    assert len({first.key, other_classes.key, other_templates.key}) == 3


def test_other_weights_file_is_a_miss(tiny_clip, tsb_cache, tmp_path):
    name, cfg_path, _ = tiny_clip
    _, weights2 = write_tiny_clip(str(tmp_path / 'other'), seed=1)
    a = build(tiny_clip, tsb_cache)
    b = build(tiny_clip, tsb_cache, encoder=dict(
        type='OpenCLIPTextEncoder', model_name=name, pretrained=weights2,
        model_config=cfg_path))
    assert a.key != b.key
    assert not torch.allclose(a.weight, b.weight)


def test_cache_entry_with_wrong_content_is_rebuilt(tiny_clip, tsb_cache):
    good = build(tiny_clip, tsb_cache)
    entry = torch.load(good.cache_path, weights_only=True)
    entry['classes'] = ['x', 'y', 'z']
    entry['tsb'] = torch.zeros_like(entry['tsb'])
    torch.save(entry, good.cache_path)
    again = build(tiny_clip, tsb_cache)
    torch.testing.assert_close(again.weight, good.weight)


def test_no_cache_dir(tiny_clip):
    bank = build(tiny_clip, None)
    assert bank.cache_path is None and bank.weight.shape == (3, 32)


def test_buffer_not_in_state_dict(tiny_clip, tsb_cache):
    assert 'weight' not in build(tiny_clip, tsb_cache).state_dict()


def test_minilm_offline_encoder(tsb_cache, monkeypatch):
    monkeypatch.delenv('HF_HUB_OFFLINE', raising=False)
    bank = TextualSemanticsBank(
        encoder=dict(type='SentenceTransformerTextEncoder'),
        classes='fashion_mnist', templates='simple', cache_dir=tsb_cache)
    assert bank.weight.shape == (10, 384)
    torch.testing.assert_close(bank.weight.norm(dim=1), torch.ones(10))
    enc = SentenceTransformerTextEncoder()
    assert 'sha256:' in enc.identity
    q = enc.encode(['a photo of a sneaker, a sports shoe.'])
    sims = bank(q)[0]
    names = bank.classes
    # a real pre-trained encoder puts the sneaker prompt nearest 'Sneaker'
    assert names[int(sims.argmax())] == 'Sneaker'
    assert sims[names.index('Sneaker')] > sims[names.index('Trouser')]
    # offline by local_files_only, not by a process-wide setting
    assert 'HF_HUB_OFFLINE' not in os.environ
    out = enc(text=enc.tokenizer(['a sneaker']))
    torch.testing.assert_close(out['text_features'], enc.encode(['a sneaker']))


def test_missing_open_clip_file_is_clear():
    with pytest.raises(FileNotFoundError, match='does not exist'):
        OpenCLIPTextEncoder('RN50', pretrained='/nope/clip.pt')


def test_class_source_in_the_log_names_where_the_names_came_from(tmp_path):
    names = tmp_path / 'names.txt'
    names.write_text('shirt\nshoe\n')
    describe = tsb_module.describe_class_spec
    assert describe('coco') == "category set 'coco'"
    assert describe(str(names)) == f"names file '{names}'"
    assert describe(['coco', str(names)]) == (
        f"union of category set 'coco' + names file '{names}'")
    # a plain list may be a config's or a caller's (--classes a,b): the log
    # must not claim it came from the config
    assert describe(['shirt', 'shoe']) == 'a list of names'
