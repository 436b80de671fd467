#!/usr/bin/env node
// Committed shim so npm can link the `thoughtspace` bin before the TypeScript build has run.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'bin.js');
if (!fs.existsSync(entry)) {
  console.error(
    'thoughtspace: the CLI is not built yet; run `npm run build` in the repository root.',
  );
  process.exit(2);
}
require(entry);
