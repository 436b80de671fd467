import { describeConfig, type ConfigSchema } from './config';

export interface ConfigDocSection {
  /** Heading, e.g. the service name. */
  title: string;
  /** A sentence under the heading. */
  intro?: string;
  schema: ConfigSchema;
  /** Variables documented elsewhere (the shared ones) are left out of this table. */
  omit?: ConfigSchema;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown table per section, generated from the declared schemas (docs/configuration.md). */
export function renderConfigDoc(options: {
  title: string;
  preamble: string;
  sections: ConfigDocSection[];
}): string {
  const out: string[] = [`# ${options.title}`, '', options.preamble.trim(), ''];
  for (const section of options.sections) {
    const omitted = new Set(Object.values(section.omit ?? {}).map((v) => v.name));
    const rows = describeConfig(section.schema).filter((r) => !omitted.has(r.name));
    out.push(`## ${section.title}`, '');
    if (section.intro) out.push(section.intro.trim(), '');
    out.push('| variable | type | default | description |', '| --- | --- | --- | --- |');
    for (const r of rows) {
      out.push(
        `| \`${r.name}\` | ${cell(r.type)} | ${cell(r.default === '' ? '""' : r.default)} | ${cell(r.description)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
