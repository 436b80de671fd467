import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError as CommanderInvalidArgument, Option, type Command } from 'commander';
import {
  createDatasetWriter,
  dataRoots,
  DEFAULT_MAX_MALFORMED,
  download,
  PRESETS,
  resolveDownload,
  shortHash,
  TEXT_LAYOUTS,
  type Manifest,
} from '@thoughtspace/data';
import { alignColumns } from '@thoughtspace/metrics';
import { datasetOptions, type DatasetFlags } from '../options';
import { loadDataset, type ReadFlags } from '../load';
import { say } from '../output';

export function registerData(program: Command): void {
  const data = program.command('data').description('prepare, list and download datasets');

  const prepare = data
    .command('prepare')
    .description(
      'read, de-duplicate, order, k-core filter and store a dataset as Arrow IPC + manifest.json',
    )
    .requiredOption(
      '--dataset <name|dir>',
      'a preset name (see `data list`) or a folder of raw files',
    )
    .requiredOption('--out <dir>', 'output folder');
  for (const o of datasetOptions()) prepare.addOption(o);
  prepare.addOption(
    new Option(
      '--format <layout>',
      'read a *.txt file as "user item" pairs or as one "user item item ..." sequence per line (default: detected from its first lines)',
    ).choices(TEXT_LAYOUTS),
  );
  prepare.addOption(
    new Option(
      '--max-malformed <fraction>',
      `fail when more than this share of lines is malformed (0 to 1; default ${DEFAULT_MAX_MALFORMED})`,
    ).argParser(fractionArg('--max-malformed')),
  );
  prepare.action(async (flags: DatasetFlags & ReadFlags & { out: string }) => {
    const started = performance.now();
    // Staged before the read: an unwritable --out fails now, in one line.
    const writer = await createDatasetWriter({ dir: flags.out });
    try {
      const { dataset, manifest } = await loadDataset(flags);
      await writer.commit(dataset, manifest);
      printPrepareReport(manifest);
    } catch (err) {
      await writer.abort();
      throw err;
    }
    say(`wrote ${flags.out} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  });

  data
    .command('list')
    .description('list the dataset presets and where they were found')
    .action(() => {
      const roots = dataRoots();
      const rows = PRESETS.map((p) => {
        const found = roots.map((r) => join(r, p.folder)).find((d) => existsSync(d));
        return [p.name, found ?? 'not found', p.description];
      });
      say(alignColumns([['preset', 'location', 'description'], ...rows]));
      say(`\nsearched: ${roots.join(', ')}`);
    });

  data
    .command('download <spec>')
    .description(
      'download public data (needs internet): amazon-2018:<Category> (e.g. amazon-2018:Luxury_Beauty), movielens-100k, movielens-1m',
    )
    .option('--dest <dir>', 'destination root (default: the user cache, searched by presets)')
    .action(async (spec: string, flags: { dest?: string }) => {
      const dir = await download(resolveDownload(spec), { dest: flags.dest });
      say(
        `downloaded to ${dir}; prepare it with: thoughtspace data prepare --dataset ${dir} --out <dir>`,
      );
    });
}

function fractionArg(flag: string) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1)
      throw new CommanderInvalidArgument(`${flag} must be a number from 0 to 1`);
    return x;
  };
}

export function printPrepareReport(manifest: Manifest): void {
  const r = manifest.report;
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const o = manifest.options;
  say(`dataset ${manifest.name}  manifest ${shortHash(manifest.hash)}  reader ${manifest.reader}`);
  say(`options: kcore=${o.kcore} passes=${o.passes} minSeqLen=${o.minSeqLen} order=${r.orderedBy}`);
  say(
    alignColumns([
      ['stage', 'users', 'items', 'interactions'],
      ['read', fmt(r.read.users), fmt(r.read.items), fmt(r.read.interactions)],
      [
        'de-duplicated',
        fmt(r.deduplicated.users),
        fmt(r.deduplicated.items),
        fmt(r.deduplicated.interactions),
      ],
      [
        `${o.kcore}-core (${r.kcorePassesRun} passes)`,
        fmt(r.kcore.users),
        fmt(r.kcore.items),
        fmt(r.kcore.interactions),
      ],
      ['final', fmt(r.final.users), fmt(r.final.items), fmt(r.final.interactions)],
    ]),
  );
  say(
    `duplicates dropped: ${fmt(r.duplicatesDropped)}; items without text: ${fmt(r.itemsWithoutText)}`,
  );
  const m = manifest.malformed;
  if (m.count > 0) {
    say(
      `malformed lines: ${fmt(m.count)} of ${fmt(m.lines)} (skipped; --strict makes them fatal, --max-malformed sets the share allowed)`,
    );
    for (const s of m.samples) say(`  ${s.file}:${s.line}: ${s.reason}`);
  } else {
    say(`malformed lines: 0 of ${fmt(m.lines)}`);
  }
}
