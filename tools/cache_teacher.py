"""Build, verify and describe teacher-embedding caches.

    python tools/cache_teacher.py CONFIG --views N --out DIR [--seed S]
    torchrun --nproc_per_node K tools/cache_teacher.py CONFIG --views N \\
        --out DIR --launcher pytorch
    python tools/cache_teacher.py verify DIR CONFIG [--samples 64]
    python tools/cache_teacher.py info DIR

Behaviour: :mod:`mmlgd.teacher_cache`; the command line:
:mod:`mmlgd.cli.cache_teacher`.
"""
import sys

from mmlgd.cli.cache_teacher import main

if __name__ == '__main__':
    sys.exit(main())
