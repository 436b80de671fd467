// Preloaded with `node -r`: when THOUGHTSPACE_ORT_DIR names an onnxruntime-node
// folder (the CUDA build gpu-check.sh installed into a scratch directory), every
// require('onnxruntime-node') resolves there instead of the repository's CPU
// build, which stays untouched.
const Module = require('node:module');
const path = require('node:path');

const dir = process.env.THOUGHTSPACE_ORT_DIR;
if (dir) {
  const target = require.resolve(path.resolve(dir));
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolve(request, ...rest) {
    if (request === 'onnxruntime-node') return target;
    return original.call(this, request, ...rest);
  };
}
