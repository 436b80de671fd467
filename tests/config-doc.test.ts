import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tool = require('../tools/docs-config.js') as { render(): string; DOC: string };

describe('docs/configuration.md', () => {
  it('is what the declared schemas generate (run `npm run docs:config` when this fails)', () => {
    const generated = tool.render();
    expect(generated).toContain('| `GRPC_PORT` | integer 0..65535 | 50051 |');
    expect(generated).toContain('## candidate-gen');
    expect(readFileSync(tool.DOC, 'utf8')).toBe(generated);
  });
});
