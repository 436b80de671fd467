#!/usr/bin/env node
/**
 * `npm run results` regenerates the README's result blocks from the committed
 * results files; `npm run results:check` fails when the README and the files
 * disagree (it runs in `npm test`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { blockNames, replaceBlocks } from './blocks';
import { renderBlock } from './generators';

const FILES = ['README.md'];

function main(): number {
  const check = process.argv.includes('--check');
  const root = resolve(__dirname, '..', '..', '..');
  let stale = 0;
  for (const file of FILES) {
    const path = join(root, file);
    const before = readFileSync(path, 'utf8');
    const after = replaceBlocks(before, (block) => renderBlock(block, root));
    const names = blockNames(before);
    if (after === before) {
      process.stdout.write(`results: ${file} is current (${names.length} generated blocks)\n`);
    } else if (check) {
      stale++;
      process.stderr.write(
        `results: ${file} disagrees with the results files; run \`npm run results\` and commit\n`,
      );
    } else {
      writeFileSync(path, after);
      process.stdout.write(`results: regenerated ${names.length} blocks in ${file}\n`);
    }
  }
  return stale ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`results: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
