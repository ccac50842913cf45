"""Cache the teacher embeddings of N seeded views per training image.

    python tools/cache_teacher.py CONFIG --views N --out DIR [--seed S]
    torchrun --nproc_per_node K tools/cache_teacher.py CONFIG --views N \\
        --out DIR --launcher pytorch

Behaviour: :mod:`mmlgd.apis.teacher_cache`.
"""
from mmlgd.apis.teacher_cache import main

if __name__ == '__main__':
    main()
