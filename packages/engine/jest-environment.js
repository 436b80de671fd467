// Jest runs each test file in its own V8 context, so typed arrays created by
// onnxruntime's native binding (outer context) fail onnxruntime-common's
// `instanceof Float32Array` checks inside the sandbox. This environment shares
// the outer context's typed-array constructors with the sandbox. Use it with
// a `@jest-environment <rootDir>/packages/engine/jest-environment.js` docblock
// (or as testEnvironment) in any test that runs an ONNX model.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeEnvironment;
