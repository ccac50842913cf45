"""Where the shipped configs are, from anywhere (as mmpretrain's ``.mim``).

The configs ship inside the package as ``mmlgd/.mim/configs``: a copy in a
built wheel, and in a repository checkout (editable install) a symbolic link
to the repository's ``configs/``. Nothing here looks above the package or
depends on the current directory.
"""
import os.path as osp

_MIM_CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                        '.mim', 'configs')


def configs_root() -> str:
    """The folder of the shipped configs.

    Returns:
        str: absolute path of ``mmlgd/.mim/configs``.

    Raises:
        FileNotFoundError: the package was installed without its configs
            (a wheel built without package data, or a checkout whose
            ``mmlgd/.mim/configs`` link is missing).
    """
    if not osp.isdir(_MIM_CONFIGS):
        raise FileNotFoundError(
            f'mmlgd\'s configs are missing ({_MIM_CONFIGS} does not exist): '
            'reinstall mmlgd from a wheel built with its package data, or '
            'in a checkout restore the link with `git checkout -- mmlgd/.mim`')
    return _MIM_CONFIGS


def config_path(name: str) -> str:
    """Absolute path of a shipped config.

    Args:
        name (str): path relative to ``configs/``, e.g.
            ``'fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'``
            (a leading ``configs/`` is accepted and dropped).

    Returns:
        str: the config file's absolute path.

    Raises:
        FileNotFoundError: no such shipped config (the message names it).
    """
    rel = name[len('configs/'):] if name.startswith('configs/') else name
    path = osp.join(configs_root(), rel)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'no shipped config {rel!r} under {configs_root()}; list them '
            'with `ls` there')
    return path
