#!/usr/bin/env bash
# One prepared check of the CUDA path (docs/benchmark.md, "GPU"):
# installs the carried wheels, runs `pytest -m cuda`, runs the GPU benchmark,
# writes everything to one folder ($OUT if set, else work_dirs/gpu_check).
#
#   bash tools/analysis_tools/gpu_check.sh            # on a GPU machine
#   bash tools/analysis_tools/gpu_check.sh --smoke    # here / CI: CPU, tiny
#   PYTHON=/tmp/gpuvenv/bin/python \
#     bash tools/analysis_tools/gpu_check.sh --imports-only   # install dry run
#
# Device tool: run(command='bash tools/analysis_tools/gpu_check.sh',
#                  carry=['.gpu_wheels'], timeout_s=420)
# The wheels come from `bash tools/analysis_tools/gpu_wheels.sh` (git-ignored
# .gpu_wheels/). They are installed with --no-index --no-deps only where CUDA
# is available or $PYTHON is a virtual environment: never into this
# machine's shared Python. The logic is in mmlgd.benchmark.gpu_check.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-python3}
OUT=${OUT:-$ROOT/work_dirs/gpu_check}
mkdir -p "$OUT"
cd "$ROOT"

if "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() or sys.prefix != sys.base_prefix else 1)'; then
  if [[ ! -d "$ROOT/.gpu_wheels" ]]; then
    echo "[gpu_check] $ROOT/.gpu_wheels is missing: run tools/analysis_tools/gpu_wheels.sh and carry ['.gpu_wheels']" >&2
    exit 2
  fi
  echo "[gpu_check] installing requirements/gpu_check.txt from .gpu_wheels into $("$PY" -c 'import sys; print(sys.prefix)')"
  # PIP_CONFIG_FILE=/dev/null: no index or find-links from any pip config.
  PIP_CONFIG_FILE=/dev/null "$PY" -m pip install --disable-pip-version-check \
    --no-index --no-deps --break-system-packages -q --find-links "$ROOT/.gpu_wheels" \
    -r "$ROOT/requirements/gpu_check.txt" 2>&1 | tee "$OUT/install.log"
else
  echo "[gpu_check] no CUDA and not a virtual environment: nothing installed"
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" -m mmlgd.benchmark.gpu_check --out "$OUT" "$@"
