"""The whole LGD pipeline on real Fashion-MNIST images, offline, on CPU.

    python tools/run_demo.py [--quick] [--work-dir DIR] [--seeds 0 1 2]
                             [--only STAGE ...] [--redo STAGE ...]

Stages, resume and outputs: :mod:`mmlgd.demo.pipeline`.
"""
from mmlgd.demo import main

if __name__ == '__main__':
    main()
