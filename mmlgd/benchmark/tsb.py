"""TSB build benchmark: cold (encode every prompt, write the cache) versus
cached (load the cache entry), with the offline MiniLM text encoder
(:class:`SentenceTransformerTextEncoder`), into a private temporary cache
so the cold build is really cold."""
import os
import time

import torch

from mmlgd.utils.markdown import md_table

from .common import ms, time_interleaved


def run(classes: str, templates: str, tmpdir: str, repeats: int,
        log=print) -> dict:
    """Cold build once, then the cached load ``repeats`` times.

    Returns:
        dict with ``K``, ``prompts``, ``cold`` (s), ``cached`` (s, median),
        ``rate`` (prompts/s of the cold build, all costs included) and
        ``openai_estimate`` (s, the cold build with the 80 OpenAI templates
        at that rate) when ``templates`` is not already ``'openai'``.
    """
    import mmlgd  # noqa: F401
    from mmlgd.models.text.category_sets import (
        resolve_classes,
        resolve_templates,
    )
    from mmlgd.models.text.tsb import TextualSemanticsBank
    enc = dict(type='SentenceTransformerTextEncoder')
    cache = os.path.join(tmpdir, 'tsb_cache')
    k = len(resolve_classes(classes))
    n_tpl = len(resolve_templates(templates))
    log(f'  TSB cold: {k} classes x {n_tpl} templates ({k * n_tpl} '
        'prompts) ...')

    def build():
        return TextualSemanticsBank(enc, classes, templates, cache_dir=cache)

    t0 = time.perf_counter()
    cold_bank = build()
    cold = time.perf_counter() - t0
    assert os.path.isfile(cold_bank.cache_path), 'TSB cache not written'
    cached = time_interleaved({'cached': build}, 'cpu', repeats,
                              warmup=1)['cached']['median']
    assert torch.equal(build().weight, cold_bank.weight), \
        'cached TSB differs from the cold build'
    hash_s = _hash_cost()
    prompts = k * n_tpl
    res = dict(hash=hash_s, classes=classes, templates=templates, K=k,
               D=cold_bank.dim, n_templates=n_tpl, prompts=prompts,
               cold=cold, cached=cached, rate=prompts / cold)
    if templates != 'openai':
        res['openai_estimate'] = k * 80 / res['rate']
    log(f'  TSB cold {cold:.1f} s, cached {ms(cached)} ms')
    return res


def _hash_cost() -> float:
    """Seconds to hash the MiniLM weights file without the per-process
    memo (what the first cached load in a fresh process pays extra)."""
    import os.path as osp

    from mmlgd.models.text.sentence_transformer_text_encoder import (
        SentenceTransformerTextEncoder,
    )
    from mmlgd.utils.hashing import file_sha256
    enc = SentenceTransformerTextEncoder()
    files = [osp.join(enc.path, f) for f in ('model.safetensors',
                                             'pytorch_model.bin')
             if osp.isfile(osp.join(enc.path, f))]
    if not files:
        return 0.0
    t0 = time.perf_counter()
    file_sha256(files[0], memo=False)
    return time.perf_counter() - t0


def markdown(r: dict) -> str:
    """One table with the cold and cached figures."""
    rows = [[f'{r["classes"]} (K={r["K"]}), \'{r["templates"]}\' '
             f'templates ({r["n_templates"]})', r['prompts'], r['D'],
             f'{r["cold"]:.1f} s', f'{r["rate"]:.0f}',
             f'{ms(r["cached"])} ms (+{ms(r["hash"])} ms in a fresh '
             'process)',
             f'{r["cold"] / r["cached"]:.0f}x']]
    text = md_table(['TSB', 'prompts', 'D', 'cold build (encode + write)',
                     'prompts/s (cold)', 'cached load', 'cold / cached'],
                    rows)
    if 'openai_estimate' in r:
        text += (f'\n\nThe cold build used the \'{r["templates"]}\' '
                 'templates to keep the run short; with the paper\'s 80 '
                 f'OpenAI templates ({r["K"] * 80} prompts) it would take '
                 f'about {r["openai_estimate"] / 60:.1f} min at the rate '
                 'measured here (an extrapolation, not a measurement). The '
                 'cached load does not depend on the number of templates.')
    return text
