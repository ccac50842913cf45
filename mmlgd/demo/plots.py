"""PNG plots of the demo report (matplotlib, Agg)."""
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from mmlgd.utils.configs import config_path  # noqa: E402
from mmlgd.utils.fileio import atomic_open  # noqa: E402

from . import plan  # noqa: E402
from .options import find_shipped  # noqa: E402


def _save(fig, wd, name):
    path = osp.join(wd, name)
    with atomic_open(path, 'wb', force=True) as f:
        fig.savefig(f, format='png', dpi=110, bbox_inches='tight')
    plt.close(fig)
    return name


def training_curves(wd, stages, read_scalars):
    """Loss per iteration of each training stage -> 'curves.png'."""
    fig, ax = plt.subplots(figsize=(7, 4))
    drawn = 0
    for st in stages:
        rows = [r for r in read_scalars(wd, st) if 'loss' in r]
        if rows:
            ax.plot([r['step'] for r in rows], [r['loss'] for r in rows],
                    marker='.', label=st)
            drawn += 1
    if not drawn:
        plt.close(fig)
        return None
    ax.set_xlabel('iteration')
    ax.set_ylabel('training loss')
    ax.set_yscale('log')
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, wd, 'curves.png')


def per_class_plot(ctx, seed):
    """Zero-shot accuracy per category for teacher and students."""
    from mmpretrain.datasets import FashionMNIST
    names = list(FashionMNIST.METAINFO['classes'])
    series = [('teacher', 'zs_teacher'), ('LGD', f'zs_lgd_s{seed}'),
              ('image-only', f'zs_lgd-image-only_s{seed}'),
              ('text-only', f'zs_lgd-text-only_s{seed}'),
              ('SEED', f'zs_seed_s{seed}'),
              ('random init', 'zs_random')]
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(series)
    drawn = 0
    for j, (label, stage) in enumerate(series):
        try:
            acc = ctx.result(stage)['per_class']
        except (OSError, KeyError):
            continue
        xs = [i + (j - len(series) / 2) * width for i in range(len(names))]
        ax.bar(xs, [100 * a for a in acc], width=width, label=label)
        drawn += 1
    if not drawn:
        plt.close(fig)
        return None
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha='right')
    ax.set_ylabel('zero-shot top-1 (%)')
    ax.set_ylim(0, 118)
    ax.legend(ncol=len(series), fontsize=8)
    return _save(fig, ctx.work_dir, 'per_class_zero_shot.png')


@torch.no_grad()
def embedding_map(ctx, stage, n_images=2000):
    """PCA of student embeddings z_S of test images, with TSB rows (stars)
    and VSB rows (triangles) projected on the same axes."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner, load_checkpoint
    from mmpretrain.registry import MODELS
    try:
        ckpt = ctx.checkpoint(stage)
    except (OSError, KeyError):
        return None
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(config_path(plan.ZS_STUDENT_CFG))
    find_shipped(cfg.model)
    model = MODELS.build(cfg.model).eval()
    load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    dl_cfg = cfg.test_dataloader
    dl_cfg.dataset.indices = n_images
    feats, labels = [], []
    for batch in Runner.build_dataloader(dl_cfg):
        data = model.data_preprocessor(batch, False)
        feats.append(model.extract_feat(data['inputs']))
        labels += [int(s.gt_label[0]) for s in data['data_samples']]
    z = torch.cat(feats)
    tsb, vsb = model.tsb.weight, model.neck.vsb
    mean = z.mean(0, keepdim=True)
    _, _, v = torch.linalg.svd(z - mean, full_matrices=False)
    proj = v[:2].T

    def p2(x):
        return ((x - mean) @ proj).numpy()

    pz, pt, pv = p2(z), p2(tsb), p2(vsb)
    names = model.tsb.classes
    cmap = plt.get_cmap('tab10')
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.scatter(pz[:, 0], pz[:, 1], c=[cmap(c) for c in labels], s=4,
               alpha=0.35)
    for k, name in enumerate(names):
        ax.scatter(*pt[k], marker='*', s=260, color=cmap(k),
                   edgecolor='black', zorder=3)
        ax.scatter(*pv[k], marker='^', s=110, color=cmap(k),
                   edgecolor='black', zorder=3)
        ax.annotate(name, pt[k], fontsize=8, xytext=(4, 4),
                    textcoords='offset points')
    ax.set_title('z_S of test images (dots, true class colour); '
                 'TSB = stars, VSB = triangles', fontsize=9)
    ax.set_xlabel('PC 1')
    ax.set_ylabel('PC 2')
    return _save(fig, ctx.work_dir, 'embedding_map.png')
