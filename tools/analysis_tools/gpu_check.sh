#!/usr/bin/env bash
# One prepared check of the CUDA path (docs/benchmark.md, "GPU"):
# installs the carried wheels, runs `pytest -m cuda`, runs the GPU benchmark,
# writes everything to one folder ($OUT if set, else work_dirs/gpu_check).
#
#   bash tools/analysis_tools/gpu_check.sh            # on a GPU machine
#   bash tools/analysis_tools/gpu_check.sh --smoke    # here / CI: CPU, tiny
#   PYTHON=/tmp/gpuvenv/bin/python \
#     bash tools/analysis_tools/gpu_check.sh --install --imports-only  # dry run
#
# Device tool: run(command='bash tools/analysis_tools/gpu_check.sh',
#                  carry=['.gpu_wheels'], timeout_s=420)
# The wheels come from `bash tools/analysis_tools/gpu_wheels.sh` (git-ignored
# .gpu_wheels/). They are installed (--no-index --no-deps) where CUDA is
# available, or with --install into $PYTHON when that is a virtual
# environment: never into a machine's shared Python without a GPU, never in
# --smoke runs. The logic is in mmlgd.benchmark.gpu_check.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-python3}
OUT=${OUT:-$ROOT/work_dirs/gpu_check}
mkdir -p "$OUT"
cd "$ROOT"
install=auto
args=()
for a in "$@"; do
  case "$a" in
    --install) install=yes ;;
    --smoke) install=no; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
if [[ $install == yes ]]; then
  want='sys.prefix != sys.base_prefix'  # a virtual environment only
  if ! "$PY" -c "import sys; sys.exit(0 if $want else 1)"; then
    echo "[gpu_check] --install: $PY is not a virtual environment; refusing to install into it (make one: python3 -m venv DIR, then PYTHON=DIR/bin/python)" >&2
    exit 2
  fi
else
  want='torch.cuda.is_available()'
fi
if [[ $install != no ]] && "$PY" -c "import sys, torch; sys.exit(0 if $want else 1)"; then
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
  echo "[gpu_check] nothing installed (no CUDA, --smoke, or --install without a virtual environment)"
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" -m mmlgd.benchmark.gpu_check --out "$OUT" ${args[@]+"${args[@]}"}
