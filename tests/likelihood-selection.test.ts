/**
 * @jest-environment <rootDir>/services/rationale-gen/jest-environment.js
 */
// The log-likelihood selection strategy end to end with a real language model:
// stories260K (a 292,800-parameter TinyStories Llama, ../shared/models) through
// node-llama-cpp's prebuilt CPU binary, real all-beauty-2018 histories, and the
// main job's choice between the likelihood row and its note. The model knows
// nothing about beauty products; what it can do is copy, so a reason that
// names the user's own items makes their history likelier than one that names
// other items. The full main-job row is too slow here (every reason generated
// by the model): docs/rationale-gen.md gives that command.
import { join } from 'node:path';
import { leaveOneOut, prepareDataset, type Dataset, type EvalCase } from '@thoughtspace/data';
import { inProcessReasons, likelihoodSelection, treeSource } from '@thoughtspace/pipeline';
import {
  createEmbeddedProvider,
  createLlamaCppProvider,
  createProvider,
  type RationaleProvider,
} from '@thoughtspace/rationale-gen';
import { historyEntries, renderBehaviourText } from '@thoughtspace/text';
import {
  buildTrees,
  likelihoodAgreement,
  likelihoodPrompt,
  LIKELIHOOD_DEFAULTS,
  recentTail,
  selectAll,
  selectReason,
  type ThoughtNode,
} from '@thoughtspace/tot-selector';
import { REPO, tempDir } from './helpers';

declare const nativeImport: (specifier: string) => Promise<unknown>;

const GGUF = join(REPO, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const loadModule = () => nativeImport('node-llama-cpp');

describe('log-likelihood selection with stories260K.gguf', () => {
  let provider: RationaleProvider;
  let dataset: Dataset;
  let cases: EvalCase[];
  beforeAll(async () => {
    provider = await createLlamaCppProvider({
      modelPath: GGUF,
      threads: 1,
      loadModule,
      // Small reasons and prompts keep generation to seconds on a busy 2-core machine.
      maxTokens: 96,
      maxReasonChars: 120,
      maxEvidence: 1,
      maxEvidenceChars: 20,
      promptLimits: { maxItems: 4, maxCharsPerItem: 60, maxSimilarItems: 2 },
    });
    ({ dataset } = await prepareDataset({ dataset: 'all-beauty-2018' }));
    cases = leaveOneOut(dataset).test;
  });
  afterAll(() => provider?.dispose());

  const titled = (c: EvalCase) => Array.from(c.history).every((i) => dataset.items[i].title);

  it("picks the leaf that names the user's own items on a constructed tree", async () => {
    const c = cases.find((x) => x.history.length >= 3 && titled(x))!;
    const history = historyEntries(dataset, c.user, c.history);
    const behaviour = renderBehaviourText(history);
    const mine = new Set(c.history);
    // Other real items, as many as the user has, none of them in the history (nor the test target).
    const others = dataset.items
      .map((it, i) => ({ it, i }))
      .filter(({ it, i }) => it.title && !mine.has(i) && i !== c.target)
      .slice(0, c.history.length)
      .map(({ it }) => it.title!);
    const titles = history.map((h) => h.item.title!);
    const leaves = [
      `They keep buying ${others.join('; ')}.`,
      `They keep buying ${titles.join('; ')}.`,
      'Lily and her dog ran to the park to play with a big red ball.',
      'They like nice things at a good price.',
    ];
    const nodes: ThoughtNode[] = [
      { id: 0, depth: 0, parent: null, reason: 'A beauty shopper.' },
      { id: 1, depth: 1, parent: 0, reason: 'Brand loyal.' },
      { id: 2, depth: 1, parent: 0, reason: 'Price aware.' },
      ...leaves.map((reason, k) => ({ id: 3 + k, depth: 2, parent: 1 + (k >> 1), reason })),
    ];
    const agreement = likelihoodAgreement(provider as Required<RationaleProvider>);
    const picked = await selectReason({
      strategy: 'log-likelihood',
      nodes,
      behaviour,
      seed: 's',
      agreement: { 'log-likelihood': agreement },
    });
    expect(picked.node.id).toBe(4);
    const scores = [...picked.leafScores!];
    expect(scores).toHaveLength(4);
    for (const s of scores) expect(s).toBeLessThan(0);
    // Each score is the behaviour's mean log-probability per token given that leaf.
    const direct = await provider.scoreContinuation!(
      likelihoodPrompt(leaves[1], LIKELIHOOD_DEFAULTS.maxReasonChars),
      recentTail(behaviour, LIKELIHOOD_DEFAULTS.maxBehaviourChars),
    );
    expect(scores[1]).toBe(direct.logProb / direct.tokens);
  });

  it('selects among model-written leaves for a handful of real users (the reasoning stage)', async () => {
    const few = cases.filter((x) => x.history.length >= 3).slice(0, 2);
    const trees = await buildTrees({
      cases: few.map((c) => ({
        history: historyEntries(dataset, c.user, c.history),
        similarItems: [],
      })),
      source: treeSource(inProcessReasons(provider)),
      branching: [2],
      render: renderBehaviourText,
      label: 'trees',
      silent: true,
    });
    const agreement = {
      'log-likelihood': likelihoodAgreement(provider as Required<RationaleProvider>),
    };
    const users = few.map((c) => dataset.userIds[c.user]);
    const run = () => selectAll({ trees, strategy: 'log-likelihood', seed: 1, users, agreement });
    const selected = await run();
    expect(selected).toHaveLength(2);
    selected.forEach((reason, i) => {
      const leaves = trees[i].nodes.filter((n) => n.depth === 1).map((n) => n.reason);
      expect(leaves).toContain(reason);
    });
    expect(await run()).toEqual(selected);
  });

  it('the main job gets the likelihood row with llama-cpp (cache included) and a note otherwise', async () => {
    const cached = await createProvider({
      kind: 'llama-cpp',
      modelPath: GGUF,
      loadModule,
      cacheDir: await tempDir(),
    });
    try {
      const withModel = likelihoodSelection(cached);
      expect(withModel.note).toBeUndefined();
      const scores = await withModel.likelihood!(['Lily had a dog.'], 'Lily had a dog.');
      expect(scores[0]).toBeLessThan(0);
    } finally {
      await cached.dispose();
    }
    expect(likelihoodSelection(createEmbeddedProvider())).toEqual({
      note: 'likelihood row skipped: provider embedded exposes no log-probabilities (use --provider llama-cpp --gguf <model>)',
    });
  });
});
