import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FailedPreconditionError, NotFoundError } from '@thoughtspace/runtime';

export const BUNDLE_FORMAT = 'thoughtspace-serving-bundle/1';
export const BUNDLE_FILE = 'bundle.json';

/** The model directories a servable bundle holds, one per model service. */
export const BUNDLE_MODELS = ['candidate-gen', 'encoder', 'scorer'] as const;
export type BundleModel = (typeof BUNDLE_MODELS)[number];

/** bundle.json: what `thoughtspace up` needs to start every service on the same data and models. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  dataset: { name: string; manifestHash: string };
  seed: number;
  /** Rationale provider the reasons were written with (`embedded`, `llama-cpp`, `openai`). */
  provider: string;
  /** Per model service: its directory (relative to the bundle) and the sha256 of its manifest file. */
  models: Record<BundleModel, { dir: string; manifest: string; sha256: string }>;
  command?: string;
  createdAt: string;
}

/** The manifest file each service's save function writes into its directory. */
const MODEL_MANIFESTS: Record<BundleModel, string> = {
  'candidate-gen': 'model.json',
  encoder: 'model.json',
  scorer: 'model.json',
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Write a servable bundle under `dir` (e.g. runs/main/serving): each model
 * service's save function writes into its own folder, then bundle.json names
 * the dataset, seed, provider and every model manifest's hash. The main job
 * calls this once its models are trained.
 */
export async function writeServingBundle(o: {
  dir: string;
  dataset: { name: string; manifestHash: string };
  seed: number;
  provider: string;
  command?: string;
  save: Record<BundleModel, (modelDir: string) => Promise<unknown>>;
}): Promise<BundleManifest> {
  await mkdir(o.dir, { recursive: true });
  const models = {} as BundleManifest['models'];
  for (const name of BUNDLE_MODELS) {
    const modelDir = join(o.dir, name);
    await o.save[name](modelDir);
    const manifest = MODEL_MANIFESTS[name];
    models[name] = {
      dir: name,
      manifest,
      sha256: sha256(await readFile(join(modelDir, manifest))),
    };
  }
  const bundle: BundleManifest = {
    format: BUNDLE_FORMAT,
    dataset: o.dataset,
    seed: o.seed,
    provider: o.provider,
    models,
    command: o.command,
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(o.dir, BUNDLE_FILE), `${JSON.stringify(bundle, null, 2)}\n`);
  return bundle;
}

/**
 * Read a bundle (the folder holding bundle.json, or a run folder with a
 * `serving/` inside) and check every model manifest against its hash; a
 * mismatch refuses with the path. Returns the manifest and absolute model dirs.
 */
export async function readServingBundle(
  path: string,
): Promise<{ dir: string; manifest: BundleManifest; modelDirs: Record<BundleModel, string> }> {
  let dir = resolve(path);
  let text: string | undefined;
  for (const candidate of [dir, join(dir, 'serving')]) {
    text = await readFile(join(candidate, BUNDLE_FILE), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      dir = candidate;
      break;
    }
  }
  if (text === undefined) {
    throw new NotFoundError(
      `${path}: no ${BUNDLE_FILE} here or in ${join(path, 'serving')} (the main job writes it: npm run main)`,
    );
  }
  const manifest = JSON.parse(text) as BundleManifest;
  if (manifest.format !== BUNDLE_FORMAT) {
    throw new FailedPreconditionError(
      `${join(dir, BUNDLE_FILE)}: format ${String(manifest.format)}, expected ${BUNDLE_FORMAT}`,
    );
  }
  const modelDirs = {} as Record<BundleModel, string>;
  for (const name of BUNDLE_MODELS) {
    const entry = manifest.models[name];
    if (!entry) throw new FailedPreconditionError(`${join(dir, BUNDLE_FILE)}: no ${name} model`);
    const modelDir = join(dir, entry.dir);
    const file = join(modelDir, entry.manifest);
    const bytes = await readFile(file).catch(() => {
      throw new NotFoundError(`${file}: missing (named by ${join(dir, BUNDLE_FILE)})`);
    });
    if (sha256(bytes) !== entry.sha256) {
      throw new FailedPreconditionError(
        `${file} does not match its sha256 in ${join(dir, BUNDLE_FILE)} (replaced after the bundle was written?)`,
      );
    }
    modelDirs[name] = modelDir;
  }
  return { dir, manifest, modelDirs };
}
