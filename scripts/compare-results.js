#!/usr/bin/env node
// Compare the method rows of two main-job results files (results.json):
// every metric's mean and CI bounds, per method, must be equal bit for bit.
// Usage: node scripts/compare-results.js A/results.json B/results.json
// Prints one line per method and exits 1 if any figure differs (2 on bad input).
'use strict';
const { readFileSync } = require('node:fs');

/** method -> { metric -> [mean, low, high] } of one results file. */
function rows(path) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a readable JSON file (${err.message})`);
  }
  if (!Array.isArray(parsed.methods))
    throw new Error(`${path}: no "methods" array (is it a main-job results.json?)`);
  const out = new Map();
  for (const m of parsed.methods) {
    const metrics = {};
    for (const [name, v] of Object.entries(m.metrics ?? {}))
      metrics[name] = [v.mean, v.low, v.high];
    out.set(`${m.method} (${m.provider})`, { cases: m.cases, metrics });
  }
  return out;
}

/** Differences between two files' rows, as lines; empty when identical. */
function compare(a, b) {
  const diffs = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    if (!x || !y) {
      diffs.push(`${key}: only in ${x ? 'the first' : 'the second'} file`);
      continue;
    }
    if (x.cases !== y.cases) diffs.push(`${key}: cases ${x.cases} vs ${y.cases}`);
    for (const metric of new Set([...Object.keys(x.metrics), ...Object.keys(y.metrics)])) {
      const p = x.metrics[metric];
      const q = y.metrics[metric];
      if (!p || !q || p.some((v, i) => !Object.is(v, q[i])))
        diffs.push(`${key} ${metric}: ${JSON.stringify(p)} vs ${JSON.stringify(q)}`);
    }
  }
  return diffs;
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node scripts/compare-results.js A/results.json B/results.json\n');
    return 2;
  }
  let a;
  let b;
  try {
    a = rows(argv[0]);
    b = rows(argv[1]);
  } catch (err) {
    process.stderr.write(`compare-results: ${err.message}\n`);
    return 2;
  }
  const diffs = compare(a, b);
  for (const key of a.keys()) {
    const same = !diffs.some((d) => d.startsWith(`${key}`));
    if (b.has(key)) process.stdout.write(`${same ? 'identical' : 'DIFFERS  '} ${key}\n`);
  }
  for (const d of diffs) process.stdout.write(`  ${d}\n`);
  process.stdout.write(
    diffs.length === 0
      ? `all ${a.size} method rows identical\n`
      : `${diffs.length} difference(s)\n`,
  );
  return diffs.length === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { rows, compare };
