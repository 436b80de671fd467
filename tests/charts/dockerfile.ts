import { readFileSync } from 'node:fs';

/** One Dockerfile instruction: keyword, flags (--from=build) and arguments. */
export interface Instruction {
  keyword: string;
  flags: Record<string, string | true>;
  args: string[];
  /** The JSON-array form (ENTRYPOINT ["node", "x"]), when used. */
  json?: string[];
  line: number;
}

export interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Parse a Dockerfile: comments, line continuations, ARG defaults in FROM. */
export function parseDockerfile(file: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const logical: { text: string; line: number }[] = [];
  let current = '';
  let start = 0;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (current === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current === '') start = i + 1;
    if (trimmed.startsWith('#')) return; // comment inside a continuation
    if (trimmed.endsWith('\\')) {
      current += trimmed.slice(0, -1) + ' ';
      return;
    }
    logical.push({ text: current + trimmed, line: start });
    current = '';
  });
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text, line } of logical) {
    const [keyword, ...restWords] = text.split(/\s+/);
    const rest = text.slice(keyword.length).trim();
    const ins: Instruction = { keyword: keyword.toUpperCase(), flags: {}, args: [], line };
    if (rest.startsWith('[')) {
      ins.json = JSON.parse(rest) as string[];
    } else {
      for (const w of restWords) {
        const flag = /^--([a-z-]+)(?:=(.*))?$/.exec(w);
        if (flag && ins.args.length === 0) ins.flags[flag[1]] = flag[2] ?? true;
        else ins.args.push(w);
      }
    }
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = ins.args[0].split('=');
      args[name] = value ?? '';
    } else if (ins.keyword === 'FROM') {
      const base = ins.args[0].replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? '');
      const as = ins.args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ base, name: as >= 0 ? ins.args[as + 1] : undefined, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${file}:${line}: ${ins.keyword} before FROM`);
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { args, stages };
}

/** Whether a repository path is excluded by .dockerignore patterns (the subset this repo uses). */
export function dockerIgnored(path: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    const anyDepth = p.startsWith('**/');
    const body = (anyDepth ? p.slice(3) : p)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*');
    const re = new RegExp(`^${anyDepth ? '(.*/)?' : ''}${body}(/.*)?$`);
    return re.test(path);
  });
}
