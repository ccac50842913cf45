"""The demo's stage graph and its scheduler (:mod:`mmlgd.demo.scheduler`)
on a micro plan of tiny stages (tests/_micro_plan.py): a stage never starts
before its inputs exist, parallel results equal sequential ones at the same
thread count, resume / --redo, and a clean stop on Ctrl-C."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import _micro_plan as micro
import pytest

from mmlgd.demo import plan, scheduler
from mmlgd.demo.results import Context

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_needs_follow_params_and_precede_each_stage():
    s = plan.make_settings(False, teacher_cache=2)
    stages = plan.stage_list(s)
    by_name = {st.name: st for st in stages}
    assert plan.needs(by_name['data']) == []
    assert plan.needs(by_name['scenes']) == ['data']
    assert plan.needs(by_name['lgd_s1']) == ['data', 'teacher']
    assert plan.needs(by_name['lgd-cached_s0']) == [
        'data', 'teacher', 'teacher_cache']
    assert plan.needs(by_name['zs_random']) == ['data']
    assert plan.needs(by_name['det10_seed_s2']) == ['scenes', 'seed_s2']
    assert plan.needs(by_name['seg10_random_s0']) == ['scenes']
    # every input is a stage of the plan that comes earlier in it, so the
    # sequential order is one the scheduler may take
    seen = set()
    for st in stages:
        assert set(plan.needs(st)) <= seen, st.name
        seen.add(st.name)


def _run(path, jobs, **kw):
    ctx = Context(str(path), {}, kw.pop('redo', ()))
    return ctx, scheduler.run_stages(ctx, micro.diamond(), micro.RUNNERS,
                                     jobs=jobs, threads=1, **kw)


@pytest.mark.e2e
def test_parallel_equals_sequential_in_order(tmp_path):
    seq, ran_seq = _run(tmp_path / 'seq', jobs=1)
    par, ran_par = _run(tmp_path / 'par', jobs=3)
    names = [st.name for st in micro.diamond()]
    assert ran_seq == names and sorted(ran_par) == sorted(names)
    pids = set()
    for st in micro.diamond():
        got, want = par.result(st.name), seq.result(st.name)
        assert got['metrics'] == want['metrics'], st.name
        assert got['threads'] == want['threads'] == 1
        # the stage started after each of its inputs had finished
        assert set(got['inputs_finished']) == set(plan.needs(st))
        for dep in plan.needs(st):
            assert got['started'] >= par.result(dep)['finished']
        assert not osp.exists(par.mark_path(st.name))
        assert osp.isfile(par.log_path(st.name))
        assert got['profile']['total_s'] >= got['profile']['startup_s']
        pids.add(got['pid'])
    # each stage in a process of its own, none in this one
    assert len(pids) == len(names) and os.getpid() not in pids
    # a stage's inputs count in its result: d depends on b and c
    assert seq.result('d')['metrics'] != micro.micro_stage(
        seq, micro.diamond()[3]._replace(params=dict(seed=3, steps=30)))[
            'metrics']

    # resume: nothing to do; --redo b re-runs b and what reads it (d);
    # --only: just that stage, its inputs taken from the earlier run
    assert _run(tmp_path / 'par', jobs=3)[1] == []
    _, again = _run(tmp_path / 'par', jobs=2, redo={'b'})
    assert sorted(again) == ['b', 'd']
    _, only = _run(tmp_path / 'par', jobs=1, only=['c'], redo={'c'})
    assert only == ['c']


@pytest.mark.e2e
def test_ctrl_c_keeps_finished_stages_and_reruns_the_rest(tmp_path):
    wd, release = str(tmp_path / 'wd'), str(tmp_path / 'release')
    ctx = Context(wd, {})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, osp.join(ROOT, 'tests'), os.environ.get('PYTHONPATH', '')]))
    cmd = [sys.executable, '-c', 'import _micro_plan; _micro_plan.main()',
           wd, release, '2']
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:  # generous limits: a loaded machine is slow, never wrong
        deadline = time.time() + 600
        while not (osp.isfile(ctx.result_path('fast')) and _pid(ctx, 'slow')
                   and _pid(ctx, 'swallow')):
            assert proc.poll() is None and time.time() < deadline, \
                proc.stdout.read() if proc.poll() is not None else 'timeout'
            time.sleep(0.2)
        pids = [_pid(ctx, 'slow'), _pid(ctx, 'swallow')]
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    # an interrupt that a library turned into another error (swallow) is
    # an interrupt too, not a failure
    assert proc.returncode == 130, out
    assert 'incomplete: slow swallow' in out and 'failed' not in out
    with open(ctx.log_path('swallow')) as f:
        assert 'swallow: interrupted (SyntaxError(' in f.read()
    # the interrupted stages' processes are gone, their marks stay, no
    # results
    for name, pid in zip(['slow', 'swallow'], pids):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert osp.exists(ctx.mark_path(name))
        assert not osp.exists(ctx.result_path(name))
    # the stage after it never started
    assert not osp.exists(ctx.mark_path('after'))
    fast = ctx.result('fast')

    # resume (here in this process): the finished stage is kept, the
    # interrupted one and the one after it run
    open(release, 'w').close()
    ran = scheduler.run_stages(ctx, micro.hold_plan(release), micro.RUNNERS,
                               jobs=1, threads=1)
    assert ran == ['slow', 'swallow', 'after']
    assert ctx.result('fast') == fast
    assert not osp.exists(ctx.mark_path('slow'))


def _pid(ctx, name):
    """The pid the stage's own process wrote into its mark, or None."""
    try:
        with open(ctx.mark_path(name)) as f:
            return json.load(f).get('pid')
    except (OSError, ValueError):
        return None
