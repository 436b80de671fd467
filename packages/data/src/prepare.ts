import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@thoughtspace/runtime';
import type { Dataset, PreprocessOptions, PreprocessReport } from './dataset';
import { contentDigest, DATASET_FORMAT, manifestHash, type Manifest } from './manifest';
import { preprocess, validatePreprocessOptions } from './preprocess';
import { findPreset, PRESETS, resolvePresetDir } from './presets';
import { checkReadReport, detectFormat, readDetected, type TextLayout } from './readers';
import { maxMalformedOf } from './readers/quality';
import { readDataset, STORE_FILES } from './store';
import type { ReadOptions } from './types';

export const TOOL = { name: 'thoughtspace', version: '0.1.0' };

export interface PrepareRequest {
  /** A preset name (see PRESETS), a folder of raw files, or a folder written by `data prepare`. */
  dataset: string;
  /** Preprocessing overrides; unset fields take the preset's defaults, then the global defaults. */
  options?: Partial<PreprocessOptions>;
  read?: ReadOptions;
  /** How to read a `*.txt` source (pairs or one sequence per line), overriding detection. */
  layout?: TextLayout;
  env?: NodeJS.ProcessEnv;
}

export interface Prepared {
  name: string;
  dataset: Dataset;
  manifest: Manifest;
}

/**
 * Resolve, read and preprocess a dataset in memory, producing its manifest.
 * A folder that already holds a processed dataset is loaded as is (options
 * must then be left unset: the manifest fixes them).
 */
export async function prepareDataset(req: PrepareRequest): Promise<Prepared> {
  const preset = findPreset(req.dataset);
  let name: string;
  let dir: string;
  let defaults: Partial<PreprocessOptions> = {};
  if (preset) {
    name = preset.name;
    dir = resolvePresetDir(preset, req.env);
    defaults = preset.defaults;
  } else {
    dir = resolve(req.dataset);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new NotFoundError(
        `"${req.dataset}" is neither a dataset preset (${PRESETS.map((p) => p.name).join(', ')}) nor a folder`,
      );
    }
    name = basename(dir);
    if (existsSync(resolve(dir, STORE_FILES.manifest))) {
      if (req.options && Object.values(req.options).some((v) => v !== undefined)) {
        throw new InvalidArgumentError(
          `${dir} is already processed; its manifest fixes the preprocessing options`,
        );
      }
      const { dataset, manifest } = await readDataset(dir);
      return { name: manifest.name, dataset, manifest };
    }
  }
  const format = await detectFormat(dir, { layout: req.layout });
  if (preset && format.reader !== preset.reader) {
    throw new FailedPreconditionError(
      `${dir} looks like ${format.reader} data, but preset "${preset.name}" expects ${preset.reader}; is the folder complete?`,
    );
  }
  const options = validatePreprocessOptions({ ...defaults, ...definedOnly(req.options ?? {}) });
  maxMalformedOf(req.read ?? {});
  const raw = await readDetected(format, req.read ?? {});
  await checkReadReport(raw, req.read ?? {});
  const { dataset, report } = preprocess(raw, options);
  return {
    name,
    dataset,
    manifest: buildManifest(name, raw.reader, raw.report, options, report, dataset),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function buildManifest(
  name: string,
  reader: string,
  read: import('./types').ReadReport,
  options: PreprocessOptions,
  report: PreprocessReport,
  dataset: Dataset,
): Manifest {
  const hash = manifestHash({
    reader,
    sources: read.files,
    options,
    content: contentDigest(dataset),
  });
  return {
    format: DATASET_FORMAT,
    name,
    hash,
    reader,
    sources: read.files,
    options,
    report,
    malformed: { lines: read.lines, count: read.malformed, samples: read.malformedSamples },
    tool: TOOL,
    createdAt: new Date().toISOString(),
  };
}
