"""A micro plan of tiny stages for the demo's scheduler tests
(tests/test_demo/test_scheduler.py): seeded float work whose result depends
on its inputs' results, timestamps for the ordering check, and a stage that
holds until a file exists (to be interrupted). ``python -c 'import
_micro_plan; _micro_plan.main()' WORK_DIR RELEASE JOBS`` runs the hold plan
(exit 130 on Ctrl-C)."""
import os
import os.path as osp
import sys
import time

import torch

from mmlgd.demo.plan import Stage


def micro_stage(ctx, stage):
    """Kind ``micro``: read the results of the stages named under
    ``teacher`` / ``student`` (FileNotFoundError when one is missing), then
    ``steps`` seeded matrix products (float reductions, so the value
    depends on the thread count), optionally first waiting for the file
    ``hold`` (at most 120 s)."""
    p = stage.params
    started = time.time()
    deps = [p[k] for k in ('teacher', 'student') if p.get(k)]
    inputs = {d: ctx.result(d) for d in deps}
    try:
        _hold(p.get('hold'), started + 120)
    except:  # noqa: E722
        if not p.get('swallow'):
            raise
        # as mmengine's config formatting does with any error, Ctrl-C too
        raise SyntaxError('Failed to format the config file') from None
    g = torch.Generator().manual_seed(p['seed'])
    x = torch.randn(192, 192, generator=g)
    w = torch.randn(192, 192, generator=g) / 192 ** 0.5
    shift = sum(r['metrics']['value'] for r in inputs.values()) * 1e-3
    for _ in range(p['steps']):
        x = torch.tanh(x @ w + shift)
    return dict(metrics=dict(value=float(x.double().sum())),
                started=started, finished=time.time(), pid=os.getpid(),
                threads=torch.get_num_threads(),
                inputs_finished={d: r['finished'] for d, r in inputs.items()})


def _hold(path, deadline):
    """Wait for the file ``path`` (when given) until ``deadline``."""
    while path and not osp.exists(path):
        if time.time() > deadline:
            raise RuntimeError(f'{path} never appeared')
        time.sleep(0.05)


RUNNERS = dict(micro=micro_stage)


def diamond(steps=30):
    """a -> (b, c) -> d."""
    return [
        Stage('a', 'micro', dict(seed=0, steps=steps)),
        Stage('b', 'micro', dict(seed=1, steps=steps, teacher='a')),
        Stage('c', 'micro', dict(seed=2, steps=steps, teacher='a')),
        Stage('d', 'micro', dict(seed=3, steps=steps, teacher='b',
                                 student='c')),
    ]


def hold_plan(release):
    """``fast``; ``slow`` and ``swallow`` wait for the file ``release``
    (``swallow`` turns a KeyboardInterrupt into a SyntaxError there, as
    mmengine's config formatting does); ``after`` needs ``slow``."""
    return [
        Stage('fast', 'micro', dict(seed=0, steps=5)),
        Stage('slow', 'micro', dict(seed=1, steps=5, hold=release)),
        Stage('swallow', 'micro', dict(seed=3, steps=5, hold=release,
                                       swallow=True)),
        Stage('after', 'micro', dict(seed=2, steps=5, teacher='slow')),
    ]


def main(argv=None):
    from mmlgd.demo import scheduler
    from mmlgd.demo.results import Context
    work_dir, release, jobs = argv or sys.argv[1:]
    ctx = Context(work_dir, {})
    try:
        ran = scheduler.run_stages(ctx, hold_plan(release), RUNNERS,
                                   jobs=int(jobs), threads=1)
    except scheduler.Interrupted as err:
        print('incomplete:', ' '.join(err.incomplete), flush=True)
        raise SystemExit(130) from None
    print('ran:', ' '.join(ran), flush=True)
