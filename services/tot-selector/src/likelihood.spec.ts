import { likelihoodAgreement, likelihoodPrompt, recentTail } from './likelihood';
import { selectReason } from './select';
import type { ThoughtNode } from './tree';

// The arithmetic and plumbing of the strategy with a scorer whose answers are
// set by hand; tests/likelihood-selection.test.ts runs it with a real GGUF.
describe('likelihoodAgreement', () => {
  it('scores each leaf by mean log-probability per token of the behaviour given its reason', async () => {
    const calls: { prompt: string; continuation: string }[] = [];
    // In total "short" is likelier (-12 > -20); per token "long" is (-0.5 > -1.5): the mean decides.
    const answers: Record<string, { logProb: number; tokens: number }> = {
      short: { logProb: -12, tokens: 8 },
      long: { logProb: -20, tokens: 40 },
    };
    const fn = likelihoodAgreement({
      scoreContinuation: async (prompt, continuation) => {
        calls.push({ prompt, continuation });
        return answers[prompt.includes('short') ? 'short' : 'long'];
      },
    });
    const scores = await fn(['a short reason', 'a long reason'], '- item 1\n- item 2');
    expect([...scores]).toEqual([-1.5, -0.5]);
    expect(calls).toEqual([
      { prompt: likelihoodPrompt('a short reason', 800), continuation: '- item 1\n- item 2' },
      { prompt: likelihoodPrompt('a long reason', 800), continuation: '- item 1\n- item 2' },
    ]);
    expect(calls[0].prompt).toBe(
      'Why this shopper buys what they buy: a short reason\nWhat they bought, oldest first:\n',
    );

    const nodes: ThoughtNode[] = [
      { id: 0, depth: 0, parent: null, reason: 'base' },
      { id: 1, depth: 1, parent: 0, reason: 'a short reason' },
      { id: 2, depth: 1, parent: 0, reason: 'a long reason' },
    ];
    const picked = await selectReason({
      strategy: 'log-likelihood',
      nodes,
      behaviour: '- item 1',
      seed: 's',
      agreement: { 'log-likelihood': fn },
    });
    expect(picked.node.id).toBe(2);
  });

  it('keeps the most recent lines of a long behaviour text and bounds the reason', async () => {
    const seen: string[] = [];
    const fn = likelihoodAgreement(
      {
        scoreContinuation: async (prompt, continuation) => {
          seen.push(prompt, continuation);
          return { logProb: -1, tokens: 1 };
        },
      },
      { maxBehaviourChars: 24, maxReasonChars: 16 },
    );
    await fn(['one two three four five six seven'], '- first item\n- second item\n- third');
    expect(seen[1]).toBe('- second item\n- third');
    expect(seen[0]).not.toContain('seven');
    expect(() =>
      likelihoodAgreement(
        { scoreContinuation: async () => ({ logProb: 0, tokens: 1 }) },
        { maxBehaviourChars: 3 },
      ),
    ).toThrow('maxBehaviourChars: must be an integer >= 16, got 3');
    await expect(fn(['r'], '   ')).rejects.toThrow('behaviour: empty');
  });

  it('recentTail cuts at a line, else a word boundary', () => {
    expect(recentTail('short', 10)).toBe('short');
    expect(recentTail('- aaaa\n- bbbb\n- cc', 12)).toBe('- bbbb\n- cc');
    expect(recentTail('alpha beta gamma delta', 12)).toBe('gamma delta');
  });
});
