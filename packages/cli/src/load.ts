import { diag } from './diagnostics';
import { prepareDataset, shortHash, type Prepared, type TextLayout } from '@thoughtspace/data';
import { preprocessOverrides, type DatasetFlags } from './options';

/** Reading flags only some commands offer (`data prepare`); unset means the defaults. */
export interface ReadFlags {
  format?: TextLayout;
  maxMalformed?: number;
}

/** Load a dataset as the flags say, telling the user what is happening on stderr. */
export async function loadDataset(
  flags: DatasetFlags & ReadFlags,
  quiet = false,
): Promise<Prepared> {
  const started = performance.now();
  if (!quiet) diag.info(`loading ${flags.dataset} ...`);
  const prepared = await prepareDataset({
    dataset: flags.dataset,
    options: preprocessOverrides(flags),
    read: { strict: flags.strict, maxMalformed: flags.maxMalformed },
    layout: flags.format,
  });
  if (!quiet) {
    const f = prepared.manifest.report.final;
    const m = prepared.manifest.malformed;
    diag.info(
      `loaded ${prepared.name} (manifest ${shortHash(prepared.manifest.hash)}): ${f.users.toLocaleString('en-US')} users, ` +
        `${f.items.toLocaleString('en-US')} items, ${f.interactions.toLocaleString('en-US')} interactions` +
        `${m.count ? `; ${m.count} malformed lines skipped` : ''} in ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );
  }
  return prepared;
}
