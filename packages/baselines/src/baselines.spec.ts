import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';
import { evaluateScorer } from './harness';
import { markovScorer } from './markov';
import { popularityScorer } from './popularity';
import { randomScorer } from './random';
import { createBaseline } from './registry';

const seqs = [Int32Array.from([0, 1, 2]), Int32Array.from([1, 2]), Int32Array.from([3, 1, 3])];
const fit = { sequences: seqs, numItems: 5 };

describe('baselines on a hand-computed case', () => {
  it('popularity counts occurrences', () => {
    const s = popularityScorer(fit).score({
      user: 0,
      history: Int32Array.from([]),
      candidates: Int32Array.from([0, 1, 2, 3, 4]),
    });
    expect(Array.from(s)).toEqual([1, 3, 2, 2, 0]);
  });

  it('markov scores transitions from the last item, popularity breaking ties', () => {
    // Transitions: 0->1, 1->2 (x2), 3->1, 1->3. From item 1: 2 twice, 3 once.
    const s = markovScorer(fit).score({
      user: 0,
      history: Int32Array.from([0, 1]),
      candidates: Int32Array.from([2, 3, 4, 0]),
    });
    expect(s[0]).toBeGreaterThan(s[1]);
    expect(Math.floor(s[0])).toBe(2);
    expect(Math.floor(s[1])).toBe(1);
    // 0 and 4 have no transition from 1; 0 is more popular than 4.
    expect(s[3]).toBeGreaterThan(s[2]);
    expect(s[3]).toBeLessThan(1);
  });

  it('random is seeded per user', () => {
    const r = randomScorer({ seed: 3 });
    const c = Int32Array.from([0, 1, 2]);
    expect(r.score({ user: 1, history: c, candidates: c })).toEqual(
      r.score({ user: 1, history: c, candidates: c }),
    );
    expect(r.score({ user: 1, history: c, candidates: c })).not.toEqual(
      r.score({ user: 2, history: c, candidates: c }),
    );
  });

  it('rejects unknown baselines by name', () => {
    expect(() => createBaseline('sasrec', fit, 1)).toThrow(
      /unknown baseline "sasrec"; choose one of random, pop, markov/,
    );
  });
});

describe('baselines validate the protocol on luxury-beauty-2018 (sampled:9, seed 1)', () => {
  it('random sits at chance; popularity and markov beat it; ties do not help a constant model', async () => {
    const { dataset, manifest } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
    const loo = leaveOneOut(dataset);
    const set = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'test',
      protocol: parseProtocol('sampled:9'),
      seed: 1,
      loo,
    });
    const train = { sequences: sequencesBefore(loo, 'test'), numItems: dataset.itemIds.length };
    const opts = { silent: true, resamples: 200 };
    const random = evaluateScorer(set, randomScorer({ seed: 1 }), opts).report.metrics['HR@1'];
    const pop = evaluateScorer(set, popularityScorer(train), opts).report.metrics['HR@1'];
    const markov = evaluateScorer(set, markovScorer(train), opts).report.metrics['HR@1'];
    const constant = evaluateScorer(
      set,
      { name: 'constant', score: ({ candidates }) => new Float64Array(candidates.length) },
      opts,
    );

    // Chance is exactly 1/10; allow 4 standard errors of a Bernoulli(0.1) mean.
    expect(Math.abs(random.mean - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / set.cases.length));
    expect(pop.low).toBeGreaterThan(random.high);
    expect(markov.low).toBeGreaterThan(pop.high);
    expect(constant.report.metrics['HR@1'].mean).toBe(0);
    expect(constant.report.metrics.MRR.mean).toBeCloseTo(0.1, 12);
  });
});
