"""Makes the shared tiny-LGD helpers (``_tiny_lgd``) importable."""
import os.path as osp
import sys

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:  # `_tiny_lgd` under any pytest import mode
    sys.path.insert(0, HERE)
