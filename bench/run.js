#!/usr/bin/env node
// Benchmark dispatcher: `npm run bench -- <name> [args]` runs bench/dist/<name>.js
// (compiled from bench/<name>.ts by `npm run bench`'s build step). Results are
// printed and written as JSON under bench/results/.
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const [name, ...args] = process.argv.slice(2);
const dist = path.join(__dirname, 'dist');
const available = fs.existsSync(dist)
  ? fs
      .readdirSync(dist)
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.slice(0, -3))
  : [];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|') || 'name'}> [args]`);
  process.exit(name ? 2 : 0);
}
const result = spawnSync(
  process.execPath,
  ['--expose-gc', path.join(dist, `${name}.js`), ...args],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
