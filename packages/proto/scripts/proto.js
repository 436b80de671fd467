#!/usr/bin/env node
// Code generation for @thoughtspace/proto, offline: the buf binary from its npm
// platform package and the local ts-proto plugin from node_modules/.bin.
//
//   node packages/proto/scripts/proto.js generate   buf generate into packages/proto/src/gen
//   node packages/proto/scripts/proto.js check      buf lint and format check, then regenerate into
//                                                   a temporary directory and fail if the committed
//                                                   code differs
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');
const GEN_DIR = 'packages/proto/src/gen';

/** The buf binary. The npm wrapper finds the platform package; fall back to it directly. */
function bufCommand() {
  const platformBinary = path.join(
    ROOT,
    'node_modules',
    '@bufbuild',
    `buf-${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}`,
    'bin',
    'buf',
  );
  if (fs.existsSync(platformBinary)) return { cmd: platformBinary, pre: [] };
  return {
    cmd: process.execPath,
    pre: [require.resolve('@bufbuild/buf/bin/buf', { paths: [ROOT] })],
  };
}

function buf(args) {
  const { cmd, pre } = bufCommand();
  // buf.gen.yaml names the plugin by its bare name; make sure the local one is found.
  const env = {
    ...process.env,
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  const result = spawnSync(cmd, [...pre, ...args], { cwd: ROOT, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function listFiles(dir, prefix = '') {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

/** First differing line of two texts, 1-based, for a useful one-line summary. */
function firstDifference(a, b) {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return i + 1;
  }
  return 0;
}

function compare(committedDir, freshDir) {
  const committed = new Set(listFiles(committedDir));
  const fresh = new Set(listFiles(freshDir));
  const problems = [];
  for (const file of fresh) {
    if (!committed.has(file)) {
      problems.push(`missing   ${GEN_DIR}/${file} (generated but not committed)`);
      continue;
    }
    const want = fs.readFileSync(path.join(freshDir, file), 'utf8');
    const have = fs.readFileSync(path.join(committedDir, file), 'utf8');
    if (want !== have) {
      problems.push(
        `differs   ${GEN_DIR}/${file} (first difference at line ${firstDifference(have, want)})`,
      );
    }
  }
  for (const file of committed) {
    if (!fresh.has(file)) problems.push(`stale     ${GEN_DIR}/${file} (no longer generated)`);
  }
  return problems;
}

function check() {
  console.log('proto:check: buf lint');
  if (buf(['lint']) !== 0) {
    console.error('proto:check: buf lint failed');
    return 1;
  }
  console.log('proto:check: buf format');
  if (buf(['format', '--diff', '--exit-code']) !== 0) {
    console.error('proto:check: .proto files are not formatted; run `npx buf format -w`');
    return 1;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thoughtspace-proto-'));
  try {
    console.log('proto:check: regenerating into a temporary directory');
    if (buf(['generate', '--output', tmp]) !== 0) {
      console.error('proto:check: buf generate failed');
      return 1;
    }
    const problems = compare(path.join(ROOT, GEN_DIR), path.join(tmp, GEN_DIR));
    if (problems.length > 0) {
      console.error(
        `proto:check: committed generated code is out of date (${problems.length} file(s)):`,
      );
      for (const line of problems) console.error(`  ${line}`);
      console.error('proto:check: run `npm run proto` and commit the result');
      return 1;
    }
    console.log(
      `proto:check: ok (${listFiles(path.join(tmp, GEN_DIR)).length} generated files up to date)`,
    );
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function main(argv) {
  switch (argv[0]) {
    case 'generate':
      return buf(['generate']);
    case 'check':
      return check();
    default:
      console.error('usage: proto.js generate|check');
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
