"""What the demo runs: settings (default / quick), the ordered stages and
the stage graph (:func:`needs`)."""
from collections import namedtuple

Stage = namedtuple('Stage', ['name', 'kind', 'params'])

# Config names as the stages' params record them (so earlier results keep
# their fingerprints); resolved with ``mmlgd.utils.configs.config_path``,
# which drops the ``configs/`` prefix: nothing depends on the directory the
# demo runs from.
CFG = 'configs/fashion_mnist/'
TEACHER_CFG = CFG + 'tac_resnet18_1xb128-4e_fashion-mnist.py'
# Pre-trained students: LGD, its two ablations and the language-free
# baselines (SEED at its code's teacher temperature 1e-4 and at LGD's 0.01,
# BINGO), all with the same teacher, data, schedule and seeds.
PRETRAIN_CFGS = {
    'lgd': CFG + 'lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
    'lgd-image-only':
    CFG + 'lgd-image-only_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
    'lgd-text-only':
    CFG + 'lgd-text-only_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
    'seed': CFG + 'seed_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
    'seed-tt0.01':
    CFG + 'seed-tt0.01_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
    'bingo': CFG + 'bingo_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
}
# Students whose neck is a plain projector (no VSB): zero-shot through
# ``neck=StudentProjector`` instead of the config's LGKANeck.
PROJECTOR_ONLY = ('seed', 'seed-tt0.01', 'bingo')
# The default run's students; the text-only ablation and the other
# baselines are opt-in (``--students``, ``--baselines``) to keep the run
# within its time budget.
DEFAULT_STUDENTS = ('lgd', 'lgd-image-only', 'seed')
# ``--baselines``: LGD against every language-free student.
BASELINE_STUDENTS = ('lgd', 'lgd-image-only', 'seed', 'seed-tt0.01',
                     'bingo')
# BINGO's bags (neighbours per image), built once per run from the teacher
# (the config's ``num_neighbours``).
BINGO_NEIGHBOURS = 'bingo_neighbours'
ZS_STUDENT_CFG = CFG + 'zero-shot_lgd-resnet18_fashion-mnist.py'
ZS_TEACHER_CFG = CFG + 'zero-shot_tac-resnet18_fashion-mnist.py'
PROBE_CFG = CFG + 'linear-probe_resnet18_1xb100-30e_fashion-mnist-1k.py'
DET_CFG = CFG + 'mask-rcnn_lgd-r18_fpn-light_1xb8-300i_fmnist-scenes.py'
SEG_CFG = CFG + 'upernet_lgd-r18_light_1xb8-600i_fmnist-scenes.py'

# Pre-training from the teacher-embedding cache (``--teacher-cache N``).
CACHED_CFG = CFG + 'lgd-cached-10v_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'

# Transfer modes: the backbone frozen (weights and BN statistics; the dense
# analogue of the linear probe) or fine-tuned with the heads.
TRANSFER_BACKBONE = ('frozen', 'finetune')

DEFAULT = dict(
    fmnist_out='data/fashion_mnist',
    scenes_out='data/fmnist_scenes', n_scenes_train=1500, n_scenes_val=300,
    teacher_epochs=4, teacher_images=None,
    lgd_epochs=2, lgd_images=None,
    probe_epochs=30, test_images=None,
    # transfer: fractions of the training scenes (0.1 = the low-data regime),
    # the backbone frozen or fine-tuned, and the budget, the same for every
    # init and fraction
    transfer_fractions=[0.1], transfer_backbone='frozen', det_iters=120,
    seg_iters=360,
    seeds=[0, 1, 2], transfer_seeds=None, log_interval=20)
QUICK = dict(
    fmnist_out='data/fashion_mnist',
    scenes_out='data/fmnist_scenes_quick', n_scenes_train=96,
    n_scenes_val=32,
    teacher_epochs=2, teacher_images=4096,
    lgd_epochs=1, lgd_images=2048,
    probe_epochs=5, test_images=1000,
    transfer_fractions=[0.5], transfer_backbone='frozen', det_iters=12,
    seg_iters=12,
    seeds=[0], transfer_seeds=None, log_interval=4)


def make_settings(quick: bool, seeds=None, fmnist_src=None,
                  students=None, transfer_fractions=None,
                  transfer_seeds=None, teacher_cache=None,
                  transfer_backbone=None) -> dict:
    """The demo's sizes and schedules (see DEFAULT / QUICK), with the
    command line's choices.

    Args:
        quick (bool): the reduced settings.
        seeds (list[int], optional): pre-training seeds.
        fmnist_src (str, optional): folder of the idx files.
        students (list[str], optional): pre-training variants, keys of
            :data:`PRETRAIN_CFGS` (default :data:`DEFAULT_STUDENTS`).
        transfer_fractions (list[float], optional): fractions in (0, 1] of
            the training scenes each transfer regime trains on.
        transfer_seeds (list[int], optional): the seeds whose students are
            transferred (default: all of ``seeds``).
        teacher_cache (int, optional): N; also pre-train LGD from a cache of
            N teacher views per image.
        transfer_backbone (str, optional): ``'frozen'`` (the default:
            backbone weights and BatchNorm statistics fixed, only the
            neck and heads train) or ``'finetune'`` (all layers train).

    Raises:
        ValueError: an unknown student, a fraction outside (0, 1], a
            transfer seed that is not a pre-training seed, N < 1, or a
            transfer backbone mode other than frozen / finetune.
    """
    s = dict(QUICK if quick else DEFAULT)
    s['quick'] = quick
    if seeds:
        s['seeds'] = list(seeds)
    s['students'] = list(students or DEFAULT_STUDENTS)
    unknown = sorted(set(s['students']) - set(PRETRAIN_CFGS))
    if unknown:
        raise ValueError(f'Unknown student(s) {unknown}; choose from '
                         f'{sorted(PRETRAIN_CFGS)}.')
    if transfer_fractions:
        s['transfer_fractions'] = list(transfer_fractions)
    if not all(0 < f <= 1 for f in s['transfer_fractions']):
        raise ValueError(f'--transfer-fractions must be in (0, 1], got '
                         f'{s["transfer_fractions"]}.')
    s['transfer_seeds'] = list(transfer_seeds or s['transfer_seeds']
                               or s['seeds'])
    if set(s['transfer_seeds']) - set(s['seeds']):
        raise ValueError(f'--transfer-seeds {s["transfer_seeds"]} must be '
                         f'among the pre-training --seeds {s["seeds"]}: '
                         'each transfer starts from that seed\'s student.')
    if teacher_cache is not None and teacher_cache < 1:
        raise ValueError(f'--teacher-cache N needs N >= 1, got '
                         f'{teacher_cache}.')
    s['teacher_cache'] = teacher_cache
    if transfer_backbone:
        s['transfer_backbone'] = transfer_backbone
    if s['transfer_backbone'] not in TRANSFER_BACKBONE:
        raise ValueError(f'--transfer-backbone must be one of '
                         f'{TRANSFER_BACKBONE}, got '
                         f'{s["transfer_backbone"]!r}.')
    s['fmnist_src'] = fmnist_src
    return s


def students(settings) -> list:
    """(name, pre-training variant or None for random init, seed) of every
    student."""
    out = [('random', None, settings['seeds'][0])]
    for seed in settings['seeds']:
        for variant in settings['students']:
            out.append((f'{variant}_s{seed}', variant, seed))
        if settings.get('teacher_cache'):
            out.append((f'lgd-cached_s{seed}', 'lgd-cached', seed))
    return out


def transfer_inits(settings) -> list:
    """The backbone inits transferred downstream: every pre-trained variant
    except the text-only ablation and the cached run, then random init."""
    return [v for v in settings['students'] if v != 'lgd-text-only'] + [
        'random']


def scene_count(settings, fraction) -> int:
    """Training scenes of a transfer regime (the first ones of the
    seeded scene set)."""
    return max(1, round(settings['n_scenes_train'] * fraction))


def transfer_stage(task, fraction, init, seed) -> str:
    """e.g. ``det10_lgd_s0``: Mask R-CNN on 10% of the scenes, backbone from
    the seed-0 LGD student."""
    return f'{task}{round(fraction * 100)}_{init}_s{seed}'


# The stage graph: a stage's params name the earlier stages whose results
# it reads under these keys (the same keys :func:`stages._fingerprint`
# hashes), and each kind reads the files one data stage writes.
REF_KEYS = ('teacher', 'student', 'cache', 'neighbours')
DATA_INPUT = dict(scenes='data', train='data', cache='data',
                  neighbours='data', zero_shot='data', probe='data',
                  det='scenes', seg='scenes')


def needs(stage) -> list:
    """The stages whose outputs ``stage`` reads: it may start only once they
    have finished (:mod:`.scheduler`). Derived from the params, so a stage
    added to the plan is ordered without another list to keep in step.

    Args:
        stage (Stage): a stage of :func:`stage_list` (or any plan whose
            params reference earlier stages under :data:`REF_KEYS`).

    Returns:
        list[str]: stage names, data stage first.
    """
    out = [DATA_INPUT[stage.kind]] if stage.kind in DATA_INPUT else []
    for key in REF_KEYS:
        ref = stage.params.get(key)
        if isinstance(ref, str) and ref not in out:
            out.append(ref)
    return out


def stage_list(s) -> list:
    """Every stage in order (each after the stages it :func:`needs`);
    ``params`` are what decides a stage's result (a change re-runs it)."""
    st = [
        Stage('data', 'data', dict(out=s['fmnist_out'],
                                   src=s['fmnist_src'])),
        Stage('scenes', 'scenes', dict(out=s['scenes_out'],
                                       n_train=s['n_scenes_train'],
                                       n_val=s['n_scenes_val'])),
        Stage('teacher', 'train', dict(config=TEACHER_CFG,
                                       epochs=s['teacher_epochs'],
                                       images=s['teacher_images'], seed=0)),
        Stage('zs_teacher', 'zero_shot', dict(config=ZS_TEACHER_CFG,
                                              teacher='teacher', student=None,
                                              images=s['test_images'])),
    ]
    if s['teacher_cache']:
        st.append(Stage('teacher_cache', 'cache', dict(
            config=PRETRAIN_CFGS['lgd'], views=s['teacher_cache'],
            images=s['lgd_images'], seed=0, teacher='teacher')))
    if 'bingo' in s['students']:
        st.append(Stage(BINGO_NEIGHBOURS, 'neighbours', dict(
            config=PRETRAIN_CFGS['bingo'], images=s['lgd_images'],
            teacher='teacher')))
    for name, variant, seed in students(s):
        if variant == 'lgd-cached':
            st.append(Stage(name, 'train', dict(
                config=CACHED_CFG, epochs=s['lgd_epochs'],
                images=s['lgd_images'], seed=seed, teacher='teacher',
                cache='teacher_cache', views=s['teacher_cache'])))
        elif variant is not None:
            p = dict(config=PRETRAIN_CFGS[variant], epochs=s['lgd_epochs'],
                     images=s['lgd_images'], seed=seed, teacher='teacher')
            if variant == 'bingo':
                p['neighbours'] = BINGO_NEIGHBOURS
            st.append(Stage(name, 'train', p))
    for name, variant, seed in students(s):
        zs = dict(config=ZS_STUDENT_CFG, student=name if variant else None,
                  images=s['test_images'], seed=seed)
        if variant in PROJECTOR_ONLY:  # no VSB in its checkpoint
            zs['neck'] = 'StudentProjector'
        st.append(Stage(f'zs_{name}', 'zero_shot', zs))
        st.append(Stage(f'probe_{name}', 'probe', dict(
            config=PROBE_CFG, student=name if variant else None,
            epochs=s['probe_epochs'], images=s['test_images'], seed=seed)))
    for fraction in s['transfer_fractions']:
        for task, cfg in (('det', DET_CFG), ('seg', SEG_CFG)):
            for seed in s['transfer_seeds']:
                for init in transfer_inits(s):
                    st.append(Stage(
                        transfer_stage(task, fraction, init, seed), task,
                        dict(config=cfg, iters=s[f'{task}_iters'],
                             backbone=s['transfer_backbone'],
                             student=None if init == 'random'
                             else f'{init}_s{seed}',
                             scenes=s['scenes_out'], seed=seed,
                             train_scenes=scene_count(s, fraction))))
    return st
