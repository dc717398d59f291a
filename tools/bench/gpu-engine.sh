#!/usr/bin/env bash
# GPU benchmark of the engine against the seed's own path (PyTorch + transformers), in one run.
#
# On the GPU machine (no Node.js, no internet), after `node -r @swc-node/register tools/bench/gpu/pack.ts`
# here and with `.gpu-pack` carried along:
#     bash tools/bench/gpu-engine.sh                 # real dimensions, random weights, ~8 min
#     LAYERS=8 TOKENS=64 bash tools/bench/gpu-engine.sh   # a quicker, smaller run
# Here, on CPU, everything but the PyTorch half (no torch on these machines):
#     bash tools/bench/gpu-engine.sh --dry-run
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
MODE=${1:-gpu}
WORK=${WORK:-/tmp/dg-gpu-bench}
PACK="$ROOT/.gpu-pack"
rm -rf "$WORK" && mkdir -p "$WORK"

if [ ! -f "$PACK/node.xz" ]; then
  echo "no .gpu-pack: run 'node -r @swc-node/register tools/bench/gpu/pack.ts' first" >&2
  exit 1
fi
xz -dc "$PACK/node.xz" > "$WORK/node" && chmod +x "$WORK/node"
tar -C "$WORK" -xJf "$PACK/runtime.tar.xz"
RUNTIME="$WORK/runtime"
ORT_BIN="$RUNTIME/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"

if [ "$MODE" = "--dry-run" ]; then
  # The engine half on CPU with the tiny model: same pack, same node binary, same scripts.
  MODEL="$ROOT/models/tiny-dentalgemma"
  [ -f "$MODEL/manifest.json" ] || npm run -s model:tiny >/dev/null
  PROVIDERS=${PROVIDERS:-cpu}
  BATCHES=${BATCHES:-1,4}
  TOKENS=${TOKENS:-8}
  VARIANT=""
  GPU=none
  python3 -m py_compile tools/bench/gpu/reference_model.py tools/model/export_dentalgemma.py
  echo "reference: skipped in --dry-run (PyTorch is not installable here); its scripts compile"
else
  MODEL="$WORK/model"
  PROVIDERS=${PROVIDERS:-cuda,webgpu}
  BATCHES=${BATCHES:-1,4,16}
  TOKENS=${TOKENS:-128}
  VARIANT=_fp16
  GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | grep -o 'H200\|A100' || echo H200)
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  # onnxruntime-node ships no CUDA provider libraries and they cannot be downloaded here; the
  # machine's Python onnxruntime of the same version may carry them: put them beside the binding.
  CAPI=$(python3 -c 'import onnxruntime, os; print(os.path.join(os.path.dirname(onnxruntime.__file__), "capi"))' 2>/dev/null || true)
  if [ -n "$CAPI" ] && ls "$CAPI"/libonnxruntime_providers_cuda.so >/dev/null 2>&1; then
    cp "$CAPI"/libonnxruntime_providers_*.so "$ORT_BIN"/ && echo "CUDA provider libraries taken from $CAPI"
  else
    echo "no CUDA provider libraries found: the cuda provider will report itself unavailable"
  fi
  python3 tools/bench/gpu/reference_model.py --prompts "$RUNTIME/prompts.json" --out "$MODEL" \
    --batches "$BATCHES" --tokens "$TOKENS" --layers "${LAYERS:-34}"
fi

"$WORK/node" "$RUNTIME/app/tools/bench/gpu/node-bench.js" --model "$MODEL" --variant "$VARIANT" \
  --providers "$PROVIDERS" --batches "$BATCHES" --tokens "$TOKENS" \
  --prompts "$RUNTIME/prompts.json" --out "$WORK/engine.json"
[ -n "${OUT:-}" ] && cp "$WORK"/engine.json "$MODEL"/reference.json "$OUT"/ 2>/dev/null || true
python3 tools/bench/gpu/report.py "$WORK/engine.json" "$MODEL/reference.json" "$GPU"
