import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzip } from './unzip';

const GLOVE = resolve(__dirname, '../../../../shared/models/glove-6B-50d-10k/glove.6B.50d.10k.zip');

describe('unzip', () => {
  it('extracts the real GloVe archive from ../shared/models', () => {
    const entries = unzip(readFileSync(GLOVE));
    expect(entries.length).toBeGreaterThanOrEqual(1);
    const text = entries[0].data.toString('utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(10000);
    expect(lines[0].split(' ')).toHaveLength(51);
    expect(lines[0].startsWith('the ')).toBe(true);
  });

  it('rejects a file that is not a zip', () => {
    expect(() => unzip(Buffer.from('not a zip at all, just some bytes here'))).toThrow(
      /zip: not a zip archive/,
    );
  });
});

describe('unzip on a damaged archive', () => {
  it('reports a corrupted entry instead of returning wrong bytes', () => {
    const archive = Buffer.from(readFileSync(GLOVE));
    // Flip bytes in the middle of the compressed data of the first entry.
    const mid = Math.floor(archive.length / 2);
    for (let i = 0; i < 64; i++) archive[mid + i] ^= 0xff;
    expect(() => unzip(archive)).toThrow(/zip: not a zip archive or damaged/);
  });
});
