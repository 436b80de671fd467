// Jest runs test files as CommonJS inside a vm sandbox, where `import()` has
// no loader ("dynamic import callback was invoked without
// --experimental-vm-modules"). node-llama-cpp is ESM-only, so the llama-cpp
// test takes Node's own importer from this file, which Node loads outside the
// sandbox. Production code (dist/, plain Node) uses a real `import()` directly.
const { TestEnvironment } = require('jest-environment-node');

class NativeImportEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.nativeImport = (specifier) => import(specifier);
  }
}

module.exports = NativeImportEnvironment;
