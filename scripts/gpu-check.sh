#!/usr/bin/env bash
# The GPU path, checked on a machine with an NVIDIA GPU (see docs/deploying.md):
#   1. environment: node, the built repository, nvidia-smi
#   2. onnxruntime-node's CUDA 12 build, installed into a scratch copy
#      (the repository's CPU build is left untouched)
#   3. node-llama-cpp's prebuilt CUDA package present
#   4. SASRec training steps and candidate-gen scoring with
#      ORT_EXECUTION_PROVIDER=cuda against the CPU run: outputs must agree;
#      prints the speed ratios; node-llama-cpp loads stories260K on CUDA
#   5. summary; the results JSON is the record
#
# Usage: scripts/gpu-check.sh [--cpu-only] [--dataset NAME] [--steps N]
#                             [--out DIR] [--ort-cuda-dir DIR]
#   --cpu-only      dry run without a GPU: every step runs with the CPU provider
#                   on both sides (checks the harness, not the GPU)
#   --ort-cuda-dir  an onnxruntime-node folder that already holds the CUDA
#                   provider libraries (for machines without network access)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CPU_ONLY=0
DATASET=ml-100k
STEPS=30
OUT="$REPO/runs/gpu-check"
ORT_CUDA_DIR=""
TIMEOUT_S="${GPU_CHECK_TIMEOUT_S:-540}"

while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-only) CPU_ONLY=1; shift ;;
    --dataset) DATASET="${2:?--dataset needs a value}"; shift 2 ;;
    --steps) STEPS="${2:?--steps needs a value}"; shift 2 ;;
    --out) OUT="${2:?--out needs a value}"; shift 2 ;;
    --ort-cuda-dir) ORT_CUDA_DIR="${2:?--ort-cuda-dir needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$STEPS" in ''|*[!0-9]*) echo "gpu-check: --steps must be a positive integer, got '$STEPS'" >&2; exit 2 ;; esac

step() { echo; echo "== gpu-check [$1] $2"; }
fail() { echo "gpu-check: $*" >&2; exit 1; }
mkdir -p "$OUT"
cd "$REPO"

step 1/5 "environment"
node --version
[ -f packages/cli/dist/bin.js ] && [ -f services/candidate-gen/dist/index.js ] || {
  echo "building (npm run build)"; npm run build >/dev/null
}
if [ "$CPU_ONLY" = 1 ]; then
  echo "--cpu-only: no GPU used; both sides run the CPU provider"
  PROVIDER=cpu; LLAMA_GPU=false
else
  command -v nvidia-smi >/dev/null || fail "nvidia-smi not found: no NVIDIA driver on this machine (use --cpu-only for a dry run)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  PROVIDER=cuda; LLAMA_GPU=cuda
fi

step 2/5 "onnxruntime-node $( node -p 'require("./node_modules/onnxruntime-node/package.json").version' ) ${PROVIDER} build"
ORT_SCRATCH="$OUT/ort/node_modules/onnxruntime-node"
rm -rf "$OUT/ort"; mkdir -p "$OUT/ort/node_modules"
ln -s "$REPO/node_modules/onnxruntime-common" "$OUT/ort/node_modules/onnxruntime-common"
if [ -n "$ORT_CUDA_DIR" ]; then
  cp -r "$ORT_CUDA_DIR" "$ORT_SCRATCH"
else
  cp -r node_modules/onnxruntime-node "$ORT_SCRATCH"
  if [ "$CPU_ONLY" = 0 ]; then
    # The package's own installer, in cuda12 mode; NODE_PATH lends it the
    # repository's dependencies.
    ONNXRUNTIME_NODE_INSTALL=cuda12 NODE_PATH="$REPO/node_modules" \
      node "$ORT_SCRATCH/script/install.js" || fail "onnxruntime-node cuda12 install failed (no network? use --ort-cuda-dir)"
  fi
fi
ls "$ORT_SCRATCH"/bin/napi-v*/linux/x64/
if [ "$CPU_ONLY" = 0 ]; then
  ls "$ORT_SCRATCH"/bin/napi-v*/linux/x64/ | grep -q libonnxruntime_providers_cuda.so \
    || fail "libonnxruntime_providers_cuda.so missing from $ORT_SCRATCH"
fi
export THOUGHTSPACE_ORT_DIR="$ORT_SCRATCH"
export NODE_PATH="$REPO/node_modules"

step 3/5 "node-llama-cpp $( node -p 'require("./node_modules/node-llama-cpp/package.json").version' ) prebuilt binaries"
GGUF="$REPO/../shared/models/stories260K/stories260K.gguf"
[ -f "$GGUF" ] || fail "$GGUF not found"
if [ "$CPU_ONLY" = 0 ]; then
  [ -d node_modules/@node-llama-cpp/linux-x64-cuda ] || fail "@node-llama-cpp/linux-x64-cuda is not installed"
fi
ls -d node_modules/@node-llama-cpp/linux-x64*

step 4/5 "SASRec training and candidate-gen scoring: cpu vs ${PROVIDER}; llama.cpp gpu=${LLAMA_GPU}"
RESULT="$OUT/gpu-check-${PROVIDER}.json"
set +e
timeout "$TIMEOUT_S" node -r "$REPO/scripts/gpu-check/ort-redirect.js" "$REPO/scripts/gpu-check/check.js" \
  --provider "$PROVIDER" --dataset "$DATASET" --steps "$STEPS" --out "$RESULT" \
  --gguf "$GGUF" --llama-gpu "$LLAMA_GPU"
rc=$?
set -e
[ "$rc" = 124 ] && fail "timed out after ${TIMEOUT_S}s"

step 5/5 "summary"
[ -f "$RESULT" ] || fail "no results file (exit $rc)"
node -e '
  const r = require(process.argv[1]);
  console.log(`dataset ${r.dataset.name} (manifest ${r.dataset.manifestHash.slice(0, 12)}), seed ${r.seed}, provider ${r.provider} vs cpu`);
  console.log(`training speed ratio (cpu ms/step / ${r.provider} ms/step): ${r.training.speedRatio.toFixed(2)}`);
  console.log(`serving speed ratio (cpu ms/pass / ${r.provider} ms/pass): ${r.serving.speedRatio.toFixed(2)}`);
  if (r.llama) console.log(`llama.cpp: ${r.llama.device.backend}, ${r.llama.device.gpuLayers} GPU layers`);
  for (const c of r.checks) console.log(`${c.ok ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`);
' "$RESULT"
echo "results: $RESULT"
exit "$rc"
