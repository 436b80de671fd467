import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The command line as run, for provenance in result files. */
export function commandLine(argv: string[] = process.argv): string {
  return ['thoughtspace', ...argv.slice(2)]
    .map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a))
    .join(' ');
}

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}
