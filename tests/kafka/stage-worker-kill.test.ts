import { join } from 'node:path';
import { leaveOneOut } from '@thoughtspace/data';
import type {
  CandidatesEvent,
  PredictionEvent,
  RecRequestEvent,
  SelectionEvent,
} from '@thoughtspace/proto';
import { historyEntries } from '@thoughtspace/text';
import { STACK_DATASET, startStack, trainTinyBundle, type Stack } from '../serving-stack';
import { inProcessStage, runKillScenario, type KillScenario } from './stage-kill';

const K = 10;

type Input = KillScenario['inputs'][number];

/**
 * Each chain stage as its own worker process (services/stage-worker) over the
 * mock cluster, SIGKILLed mid-stream and restarted, then stopped with SIGTERM
 * and restarted (tests/kafka/stage-kill.ts): candidate-gen runs a real SASRec
 * in the process; tot-selector and scorer call the serving stack's gRPC
 * services (the tiny bundle of tests/serving-stack.ts, trained here on
 * all-beauty-2018). Every request id's output is counted once (0 lost, 0
 * counted twice) and equals the same stage code run in this process on the
 * same ports.
 */
describe('stage worker processes: SIGKILL mid-stream and restart, SIGTERM drains', () => {
  let stack: Stack;
  let modelDir: string;
  let requests: Input[];
  let env: Record<'candidate-gen' | 'tot-selector' | 'scorer', Record<string, string>>;

  beforeAll(async () => {
    const bundle = await trainTinyBundle();
    stack = await startStack(bundle);
    modelDir = join(bundle.dir, 'candidate-gen');
    env = {
      'candidate-gen': { MODEL_DIR: modelDir },
      'tot-selector': {
        DATASET: STACK_DATASET,
        CANDIDATE_GEN_ADDR: stack.addresses['candidate-gen'],
        RATIONALE_GEN_ADDR: stack.addresses['rationale-gen'],
        TOT_SELECTOR_ADDR: stack.addresses['tot-selector'],
      },
      scorer: { DATASET: STACK_DATASET, SCORER_ADDR: stack.addresses.scorer },
    };
    const { dataset } = bundle;
    const loo = leaveOneOut(dataset);
    requests = loo.test.slice(0, 400).map((c) => {
      const userId = dataset.userIds[c.user];
      const requestId = `req-${userId}`;
      const event: RecRequestEvent = {
        header: {
          requestId,
          userId,
          producedAtUnixMs: Date.now(),
          datasetManifestHash: bundle.manifestHash,
        },
        history: {
          userId,
          interactions: historyEntries(dataset, c.user, c.history).map((e) => ({
            itemId: e.item.id,
            rating: e.rating,
            review: e.review,
          })),
        },
        k: K,
        candidateItemIds: [],
        deadlineUnixMs: 0,
        method: '',
      };
      return { requestId, userId, event };
    });
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** Run `stage` in this process over `inputs`: the expected outputs, and the next stage's inputs. */
  async function reference(
    stage: keyof typeof env,
    inputs: Input[],
  ): Promise<{ expected: Map<string, unknown>; outputs: Input[] }> {
    const local = await inProcessStage(stage, env[stage]);
    try {
      const expected = new Map<string, unknown>();
      const outputs: Input[] = [];
      for (const r of inputs) {
        const out = await local.handle(r.event);
        expected.set(r.requestId, out);
        outputs.push({ ...r, event: out });
      }
      return { expected, outputs };
    } finally {
      await local.dispose();
    }
  }

  // Each stage's inputs are the previous stage's in-process outputs (computed once, on demand).
  let candidateGen: Promise<{ expected: Map<string, unknown>; outputs: Input[] }> | undefined;
  let totSelector: Promise<{ expected: Map<string, unknown>; outputs: Input[] }> | undefined;
  const candidateGenRef = () => (candidateGen ??= reference('candidate-gen', requests));
  // The reasoning stage is the slowest (similar users, base reason, a 2x2
  // tree, agreement per leaf, all over gRPC): 80 requests keep it short.
  const totSelectorRef = () =>
    (totSelector ??= candidateGenRef().then((c) =>
      reference('tot-selector', c.outputs.slice(0, 80)),
    ));

  test('candidate-gen: requests in = candidates counted once each, 0 lost, equal to the in-process model', async () => {
    const { expected } = await candidateGenRef();
    for (const c of expected.values())
      expect((c as CandidatesEvent).candidates!.candidates).toHaveLength(K);
    const r = await runKillScenario({
      stage: 'candidate-gen',
      env: env['candidate-gen'],
      inputs: requests,
      expected,
    });
    expect(r.requests).toBe(400);
  }, 240_000);

  test('tot-selector: candidates in = selections counted once each, 0 lost, equal to the in-process stage', async () => {
    const inputs = (await candidateGenRef()).outputs.slice(0, 80);
    const { expected } = await totSelectorRef();
    for (const e of expected.values()) expect((e as SelectionEvent).selected!.reason).toBeTruthy();
    const r = await runKillScenario({
      stage: 'tot-selector',
      env: env['tot-selector'],
      inputs,
      expected,
    });
    expect(r.requests).toBe(80);
  }, 240_000);

  test('scorer: selections in = predictions counted once each, 0 lost, equal to the in-process scorer', async () => {
    const inputs = (await totSelectorRef()).outputs;
    const { expected } = await reference('scorer', inputs);
    for (const e of expected.values())
      expect((e as PredictionEvent).prediction!.scores).toHaveLength(K);
    const r = await runKillScenario({ stage: 'scorer', env: env.scorer, inputs, expected });
    expect(r.requests).toBe(80);
  }, 240_000);
});
