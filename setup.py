"""Install mmlgd; requirements come from requirements/*.txt (OpenMMLab
style)."""
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version():
    with open(osp.join(HERE, 'mmlgd', 'version.py'), encoding='utf-8') as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def parse_requirements(fname):
    """Requirement lines of ``requirements/<fname>`` (follows ``-r``)."""
    reqs = []
    with open(osp.join(HERE, 'requirements', fname), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                reqs += parse_requirements(osp.basename(line[3:].strip()))
            else:
                reqs.append(line)
    return reqs


setup(
    name='mmlgd',
    version=get_version(),
    description='Language-Guided Distillation (LGD) for lightweight model '
    'pre-training, as an OpenMMLab plugin',
    long_description=open(osp.join(HERE, 'README.md'),
                          encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    # The configs ship inside the package as mmlgd/.mim/configs (as
    # mmpretrain's .mim): in a checkout a link to configs/, in a wheel real
    # files, found by mmlgd.utils.configs from any directory.
    package_data={'mmlgd': [f'.mim/configs/**/*.{ext}'
                            for ext in ('py', 'md', 'yml')]},
    include_package_data=True,
    python_requires='>=3.9',
    license='Apache License 2.0',
    install_requires=(parse_requirements('runtime.txt') +
                      parse_requirements('mminstall.txt')),
    extras_require={
        'all': (parse_requirements('optional.txt') +
                parse_requirements('deploy.txt') +
                parse_requirements('tests.txt')),
        'tests': parse_requirements('tests.txt'),
        'optional': parse_requirements('optional.txt'),
        'deploy': parse_requirements('deploy.txt'),
    },
    zip_safe=False,
)
