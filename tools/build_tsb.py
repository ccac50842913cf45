"""Precompute (and cache) the Textual Semantics Bank of a config.

    python tools/build_tsb.py CONFIG [--cfg-options k=v ...]

Behaviour: :mod:`mmlgd.apis.build_tsb`.
"""
from mmlgd.apis.build_tsb import main

if __name__ == '__main__':
    main()
