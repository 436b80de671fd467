import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument, type YAMLMap } from 'yaml';
import { REPO } from './tools';

// Maps passed to Kubernetes verbatim are documented by the comment on their key.
const VERBATIM =
  /(^|\.)(podSecurityContext|containerSecurityContext|resources|nodeSelector|namespaceSelector|podSelector)(\.|$)/;
// Entries of these maps are instances of serviceDefaults / stageDefaults, documented there.
const INSTANCES = /^(services|stages)$/;

/** Keys of a values.yaml without a comment directly above them. */
function uncommented(file: string): string[] {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const missing: string[] = [];
  const walk = (map: YAMLMap, path: string, inherited: string | undefined | null) => {
    map.items.forEach((pair, i) => {
      const key = String((pair.key as { value: unknown }).value);
      const p = path ? `${path}.${key}` : key;
      const comment =
        (pair.key as { commentBefore?: string }).commentBefore ?? (i === 0 ? inherited : undefined);
      if (!comment && !map.flow && !VERBATIM.test(path)) missing.push(p);
      if (isMap(pair.value) && !pair.value.flow && !INSTANCES.test(p)) {
        walk(pair.value, p, pair.value.commentBefore);
      }
    });
  };
  walk(doc.contents as YAMLMap, '', (doc.contents as YAMLMap).commentBefore);
  return missing;
}

test.each(['thoughtspace', 'thoughtspace-training'])(
  'every key of %s/values.yaml is commented',
  (chart) => {
    expect(uncommented(join(REPO, 'charts', chart, 'values.yaml'))).toEqual([]);
  },
);

test.each(['thoughtspace', 'thoughtspace-training'])(
  '%s/values.schema.json is strict at every object level',
  (chart) => {
    const schema = JSON.parse(
      readFileSync(join(REPO, 'charts', chart, 'values.schema.json'), 'utf8'),
    );
    const loose: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      if (node.type === 'object' && node.properties && node.additionalProperties !== false)
        loose.push(path);
      for (const [k, v] of Object.entries(node)) {
        if (v && typeof v === 'object' && !Array.isArray(v))
          walk(v as Record<string, unknown>, `${path}/${k}`);
      }
    };
    walk(schema, '#');
    expect(loose).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.length).toBeGreaterThan(5);
  },
);
