import { createRng } from '@thoughtspace/runtime';
import { scoreExamples, trainScorer, type ScorerExample } from './train';

// A unit test of the learner itself: a known, learnable signal in the
// features (half the cases) and in reason-item agreement (the other half).
function makeExamples(n: number, seed: string): ScorerExample[] {
  const rng = createRng(seed);
  const C = 5;
  return Array.from({ length: n }, (_, k) => {
    const label = rng.int(C);
    const viaReason = k % 2 === 1;
    const features = new Float32Array(C * 2);
    const items = new Float32Array(C * 3);
    const reason = new Float32Array(3);
    const topic = rng.int(3);
    reason[topic] = 1;
    for (let c = 0; c < C; c++) {
      features[c * 2] = rng.normal() * 0.3 + (!viaReason && c === label ? 2 : 0);
      features[c * 2 + 1] = rng.normal();
      const t = c === label ? topic : (topic + 1 + rng.int(2)) % 3;
      items[c * 3 + t] = viaReason ? 1 : rng.next();
    }
    return { features, items, reason, label };
  });
}

describe('scorer', () => {
  it('learns from features and from the reason, and never reads the label when scoring', async () => {
    const trained = await trainScorer({
      examples: makeExamples(1200, 'train'),
      shape: { candidates: 5, features: 2, reasonDim: 3, itemDim: 3 },
      config: { epochs: 20, batch: 64, lr: 0.05 },
      silent: true,
    });
    try {
      expect(trained.losses[trained.losses.length - 1]).toBeLessThan(trained.losses[0]);
      const test = makeExamples(400, 'test');
      const logits = await scoreExamples(trained, test);
      const argmax = (l: Float32Array) => l.indexOf(Math.max(...l));
      const hitFeature =
        test.filter((e, i) => i % 2 === 0 && argmax(logits[i]) === e.label).length / 200;
      const hitReason =
        test.filter((e, i) => i % 2 === 1 && argmax(logits[i]) === e.label).length / 200;
      expect(hitFeature).toBeGreaterThan(0.9);
      expect(hitReason).toBeGreaterThan(0.9);
      // Same inputs, different labels: identical logits.
      const relabelled = await scoreExamples(
        trained,
        test.map((e) => ({ ...e, label: (e.label + 1) % 5 })),
      );
      expect(relabelled).toEqual(logits);
      // Without the reason, the reason-only half falls towards chance.
      const noReason = await scoreExamples(
        trained,
        test.map((e) => ({ ...e, reason: null })),
      );
      const hitNoReason =
        test.filter((e, i) => i % 2 === 1 && argmax(noReason[i]) === e.label).length / 200;
      expect(hitNoReason).toBeLessThan(0.5);
    } finally {
      await trained.trainer.dispose();
    }
  });

  it('rejects examples whose shapes do not match', async () => {
    const bad = makeExamples(4, 'x');
    bad[2] = { ...bad[2], features: new Float32Array(3) };
    await expect(
      trainScorer({
        examples: bad,
        shape: { candidates: 5, features: 2, reasonDim: 3, itemDim: 3 },
        silent: true,
      }),
    ).rejects.toThrow(/example 2: shapes do not match/);
  });
});
