"""What the demo runs: settings (default / quick) and the ordered stages."""
from collections import namedtuple

Stage = namedtuple('Stage', ['name', 'kind', 'params'])

CFG = 'configs/fashion_mnist/'
TEACHER_CFG = CFG + 'tac_resnet18_1xb128-4e_fashion-mnist.py'
LGD_CFGS = {
    'lgd': CFG + 'lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
    'lgd-image-only':
    CFG + 'lgd-image-only_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
    'lgd-text-only':
    CFG + 'lgd-text-only_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
}
ZS_STUDENT_CFG = CFG + 'zero-shot_lgd-resnet18_fashion-mnist.py'
ZS_TEACHER_CFG = CFG + 'zero-shot_tac-resnet18_fashion-mnist.py'
PROBE_CFG = CFG + 'linear-probe_resnet18_1xb100-30e_fashion-mnist-1k.py'
DET_CFG = CFG + 'mask-rcnn_lgd-r18_fpn-light_1xb8-300i_fmnist-scenes.py'
SEG_CFG = CFG + 'upernet_lgd-r18_light_1xb8-600i_fmnist-scenes.py'

DEFAULT = dict(
    fmnist_out='data/fashion_mnist',
    scenes_out='data/fmnist_scenes', n_scenes_train=1500, n_scenes_val=300,
    teacher_epochs=4, teacher_images=None,
    lgd_epochs=2, lgd_images=None,
    probe_epochs=30, test_images=None,
    det_iters=300, seg_iters=600, seeds=[0, 1, 2],
    log_interval=20)
QUICK = dict(
    fmnist_out='data/fashion_mnist',
    scenes_out='data/fmnist_scenes_quick', n_scenes_train=96,
    n_scenes_val=32,
    teacher_epochs=2, teacher_images=4096,
    lgd_epochs=1, lgd_images=2048,
    probe_epochs=5, test_images=1000,
    det_iters=12, seg_iters=12, seeds=[0], log_interval=4)


def make_settings(quick: bool, seeds=None, fmnist_src=None) -> dict:
    """The demo's sizes and schedules (see DEFAULT / QUICK)."""
    s = dict(QUICK if quick else DEFAULT)
    s['quick'] = quick
    if seeds:
        s['seeds'] = list(seeds)
    s['fmnist_src'] = fmnist_src
    return s


def students(settings) -> list:
    """(name, lgd variant or None for random init, seed) of every student."""
    out = [('random', None, settings['seeds'][0])]
    for seed in settings['seeds']:
        for variant in LGD_CFGS:
            out.append((f'{variant}_s{seed}', variant, seed))
    return out


def stage_list(s) -> list:
    """Every stage in order; ``params`` are what decides a stage's result
    (a change re-runs it)."""
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
    for name, variant, seed in students(s):
        if variant is not None:
            st.append(Stage(name, 'train', dict(
                config=LGD_CFGS[variant], epochs=s['lgd_epochs'],
                images=s['lgd_images'], seed=seed, teacher='teacher')))
    for name, variant, seed in students(s):
        st.append(Stage(f'zs_{name}', 'zero_shot', dict(
            config=ZS_STUDENT_CFG, student=name if variant else None,
            images=s['test_images'], seed=seed)))
        st.append(Stage(f'probe_{name}', 'probe', dict(
            config=PROBE_CFG, student=name if variant else None,
            epochs=s['probe_epochs'], images=s['test_images'], seed=seed)))
    first = f'lgd_s{s["seeds"][0]}'
    for task, cfg in (('det', DET_CFG), ('seg', SEG_CFG)):
        for init in (first, None):
            st.append(Stage(f'{task}_{"lgd" if init else "random"}', task,
                            dict(config=cfg, student=init,
                                 iters=s[f'{task}_iters'],
                                 scenes=s['scenes_out'], seed=0)))
    return st
