import { join } from 'node:path';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { readAmazon2018 } from './amazon';
import { MalformedCollector } from './malformed';

// Amazon 2018 review lines; named .jsonl so Prettier does not parse it as one JSON document.
const FIXTURE = join(__dirname, '__fixtures__', 'malformed', 'reviews.jsonl');

describe('MalformedCollector', () => {
  it('counts everything and keeps the first maxSamples', () => {
    const c = new MalformedCollector({ maxSamples: 2 });
    for (let line = 1; line <= 4; line++) c.add('f', line, `bad ${line}`);
    expect(c.count).toBe(4);
    expect(c.samples).toEqual([
      { file: 'f', line: 1, reason: 'bad 1' },
      { file: 'f', line: 2, reason: 'bad 2' },
    ]);
  });

  it('throws in strict mode and validates maxSamples', () => {
    expect(() => new MalformedCollector({ strict: true }).add('f.json', 7, 'why')).toThrow(
      new InvalidArgumentError('malformed line at f.json:7: why'),
    );
    expect(() => new MalformedCollector({ maxSamples: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('malformed lines in a real reader', () => {
  // Fixture: 13 lines; 2 blank (4, 10), 4 good (1, 3, 7, 13), 7 broken.
  it('counts broken lines with their line numbers and keeps the good ones', async () => {
    const raw = await readAmazon2018({ reviews: FIXTURE });
    expect(raw.interactions.map((e) => `${e.user}/${e.item}`)).toEqual([
      'U1/I1',
      'U2/I2',
      'U3/I1',
      'U4/I2',
    ]);
    expect(raw.report.lines).toBe(11);
    expect(raw.report.malformed).toBe(7);
    expect(raw.report.malformedSamples).toHaveLength(5);
    expect(raw.report.malformedSamples.map((m) => m.line)).toEqual([2, 5, 6, 8, 9]);
    expect(raw.report.malformedSamples.every((m) => m.file === FIXTURE)).toBe(true);
    expect(raw.report.malformedSamples[2].reason).toBe('missing or invalid reviewerID');
    expect(raw.report.malformedSamples[3].reason).toBe('expected an object');
    expect(raw.report.malformedSamples[4].reason).toBe('overall is not a number');
  });

  it('honours maxSamples', async () => {
    const all = await readAmazon2018({ reviews: FIXTURE, maxSamples: 100 });
    expect(all.report.malformedSamples.map((m) => m.line)).toEqual([2, 5, 6, 8, 9, 11, 12]);
    expect(all.report.malformedSamples[6].reason).toBe('unixReviewTime is not a number');
    const none = await readAmazon2018({ reviews: FIXTURE, maxSamples: 0 });
    expect(none.report.malformed).toBe(7);
    expect(none.report.malformedSamples).toEqual([]);
  });

  it('throws at the first broken line in strict mode, naming file:line and the reason', async () => {
    const run = readAmazon2018({ reviews: FIXTURE, strict: true });
    await expect(run).rejects.toThrow(InvalidArgumentError);
    await expect(readAmazon2018({ reviews: FIXTURE, strict: true })).rejects.toThrow(
      new RegExp(
        `malformed line at ${FIXTURE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: neither JSON nor a Python literal`,
      ),
    );
  });
});
