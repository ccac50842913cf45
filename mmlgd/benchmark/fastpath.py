"""Fast-path candidates for the teacher forward and the student
forward+backward, each timed interleaved with the current code path.

The speed-up of a variant is the median over rounds of the *paired* ratio
(current / variant, measured back to back in the same round), which is
robust to slow changes of machine load; ``wins`` is the fraction of rounds
in which the variant was faster. A variant "helps" only when the speed-up
exceeds 1.05 and it won at least 80% of the rounds.
"""
import copy
import statistics

import torch

from mmlgd.utils.markdown import md_table

from .common import ms, time_interleaved
from .models import collate_preprocess, make_samples


def fast_paths(model, meta: dict, device: str, batch: int, repeats: int,
               warmup: int, log=print) -> dict:
    """Candidate fast paths for the teacher forward and the student
    forward+backward, timed interleaved against the current code path.

    Returns:
        dict: ``teacher`` / ``student``: name -> timing dict of
        :func:`time_interleaved` (median, samples per round); ``bf16``:
        fidelity of the variants (channels-last max difference, bf16 min
        cosine and pseudo-label agreement).
    """
    cl = torch.channels_last
    x = collate_preprocess(model, make_samples(
        batch, meta['channels'], meta['image']))['inputs'][0]
    teacher = model.target_generator
    teacher_cl = copy.deepcopy(teacher).to(memory_format=cl)
    x_cl = x.contiguous(memory_format=cl)

    def infer_clone():
        with torch.inference_mode():
            z = teacher(x)
        return z.clone()

    def bf16(net=teacher, inp=x):
        with torch.autocast(device_type=device.split(':')[0],
                            dtype=torch.bfloat16):
            return net(inp)

    t_fns = {'no_grad (current)': lambda: teacher(x),
             'inference_mode + clone': infer_clone,
             'channels_last': lambda: teacher_cl(x_cl),
             'autocast bf16': bf16,
             'channels_last + autocast bf16': lambda: bf16(teacher_cl, x_cl)}
    log(f'  fast paths, teacher of {meta["name"]} ...')
    teacher_t = time_interleaved(t_fns, device, repeats, warmup)
    with torch.no_grad():
        z32, z16 = teacher(x), bf16().float()
        bank = model.tsb.weight
        fidelity = dict(
            cl_max_diff=float((teacher_cl(x_cl) - z32).abs().max()),
            min_cos=float((z32 * z16).sum(1).min()),
            label_agree=float(((z32 @ bank.T).argmax(1) ==
                               (z16 @ bank.T).argmax(1)).float().mean()))

    backbone = model.backbone
    backbone_cl = copy.deepcopy(backbone).to(memory_format=cl)
    grads = [torch.randn_like(f) for f in backbone(x)]

    def fwd_bwd(net, inp, gs):
        net.zero_grad(set_to_none=True)
        torch.autograd.backward(net(inp), gs)

    grads_cl = [g.contiguous(memory_format=cl) if g.dim() == 4 else g
                for g in grads]
    s_fns = {'contiguous (current)': lambda: fwd_bwd(backbone, x, grads),
             'channels_last': lambda: fwd_bwd(backbone_cl, x_cl, grads_cl)}
    log(f'  fast paths, student of {meta["name"]} ...')
    student_t = time_interleaved(s_fns, device, repeats, warmup)
    backbone.zero_grad(set_to_none=True)
    return dict(meta=meta, batch=batch, teacher=teacher_t, student=student_t,
                bf16=fidelity)


def paired(base: dict, var: dict):
    """(median paired speed-up, fraction of rounds won) of ``var``."""
    ratios = [b / v for b, v in zip(base['samples'], var['samples'])]
    return statistics.median(ratios), sum(r > 1 for r in ratios) / len(ratios)


def fast_paths_markdown(results) -> str:
    """One row per (setting, stage, variant) with the paired speed-up."""
    rows = []
    for r in results:
        name = f'{r["meta"]["name"]}, b{r["batch"]}'
        for part, base in (('teacher', 'no_grad (current)'),
                           ('student', 'contiguous (current)')):
            b = r[part][base]
            stage = 'teacher forward' if part == 'teacher' else \
                'student forward+backward'
            for k, t in r[part].items():
                if k == base:
                    rows.append([name, stage, k, ms(t['median']), '-', '-',
                                 'current'])
                    continue
                gain, wins = paired(b, t)
                verdict = ('helps' if gain > 1.05 and wins >= 0.8 else
                           'slower' if gain < 0.95 and wins <= 0.2 else
                           'no clear effect')
                rows.append([name, stage, k, ms(t['median']),
                             f'{gain:.2f}x', f'{100 * wins:.0f}%', verdict])
    return md_table(['setting', 'stage', 'variant', 'median (ms)',
                     'paired speed-up', 'rounds won', 'verdict'], rows)
