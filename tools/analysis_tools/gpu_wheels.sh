#!/usr/bin/env bash
# Prepare the wheels of tools/analysis_tools/gpu_check.sh in .gpu_wheels/
# (git-ignored). Run here, with network to PyPI; it installs nothing:
#
#   bash tools/analysis_tools/gpu_wheels.sh [DEST]        # default .gpu_wheels
#
# The list is requirements/gpu_check.txt. Binary wheels only, for CPython
# 3.12 (the GPU image) and 3.11 (this machine, for the install dry run
# `python -m mmlgd.testing.gpu_check dry-run`), manylinux x86_64. Pure-Python
# wheels serve both. The folder must stay small: the working tree plus it
# travels to the GPU machine through the device tool's carry (64 MiB).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEST=${1:-$ROOT/.gpu_wheels}
REQS=$ROOT/requirements/gpu_check.txt
PY=${PYTHON:-python3}
mkdir -p "$DEST"
for ver in 3.12 3.11; do
  "$PY" -m pip download --disable-pip-version-check -q --no-deps \
    --only-binary=:all: --python-version "$ver" --implementation cp \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux_2_28_x86_64 --platform any \
    -d "$DEST" -r "$REQS"
done
ls "$DEST"
# The device tool carries the working tree (tracked + untracked, not ignored)
# plus .gpu_wheels: 64 MiB in all.
tree=$(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
  | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
wheels=$(du -sb "$DEST" | cut -f1)
total=$(( (tree + wheels) / 1048576 ))
echo "[gpu_wheels] working tree $((tree / 1048576)) MiB + wheels $((wheels / 1048576)) MiB = ${total} MiB (limit 64)"
if (( total >= 64 )); then
  echo "[gpu_wheels] over the 64 MiB the device tool carries" >&2
  exit 1
fi
