"""Build (and cache) the TSB of a run, for its own or new category names.

    python tools/build_tsb.py CONFIG_OR_CHECKPOINT [--classes NAMES]
        [--templates T ...] [--out tsb.npy [--force]] [--cfg-options k=v ...]

``--out`` also writes the TSB as a plain .npy (float32, (K, D), unit rows)
and its names as ``tsb.txt``. Behaviour: :mod:`mmlgd.apis.build_tsb`; the
command line: :mod:`mmlgd.cli.build_tsb`.
"""
import sys

from mmlgd.cli.build_tsb import main

if __name__ == '__main__':
    sys.exit(main())
