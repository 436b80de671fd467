import { credentials, Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import { leaveOneOut, prepareDataset, sequencesBefore } from '@thoughtspace/data';
import { CandidateGenClient, GatewayClient, type RecommendResponse } from '@thoughtspace/proto';
import type { Call } from './run';

export interface ScenarioOptions {
  /** gRPC target, host:port. */
  target: string;
  /** Dataset the served models were trained on; request histories come from its test split. */
  dataset: string;
  /** Per-request deadline in ms. */
  deadlineMs: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** What the scenario calls, e.g. "thoughtspace.v1.CandidateGen/ScoreCandidates". */
  readonly method: string;
  /** Histories and ids are built once, before the clock starts. */
  setup(o: ScenarioOptions): Promise<{
    call: Call;
    close(): void;
    manifestHash: string;
    /** Counters the scenario keeps besides latency (e.g. degraded answers). */
    counters?: () => Record<string, number>;
  }>;
}

/** A unary call as a promise: `start` issues it with the given call options and callback. */
export function unary<Res>(
  start: (options: CallOptions, cb: (err: ServiceError | null, res: Res) => void) => unknown,
  deadlineMs: number,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) =>
    start({ deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

/** Test-split histories of a dataset as external item ids, plus a deterministic candidate list per request. */
export async function requestData(dataset: string) {
  const { dataset: ds, manifest } = await prepareDataset({ dataset });
  const histories = sequencesBefore(leaveOneOut(ds), 'test')
    .filter((s) => s.length > 0)
    .map((s) => Array.from(s.subarray(Math.max(0, s.length - 50)), (i) => ds.itemIds[i]));
  const n = ds.itemIds.length;
  return {
    manifestHash: manifest.hash,
    history: (i: number) => ({
      userId: '',
      interactions: histories[i % histories.length].map((itemId) => ({ itemId })),
    }),
    candidates: (i: number, count: number) =>
      Array.from({ length: count }, (_, j) => ds.itemIds[(i * 31 + j * 977) % n]),
  };
}

function candidateGenScenario(
  name: string,
  description: string,
  rpc: 'ScoreCandidates' | 'GenerateCandidates',
): Scenario {
  return {
    name,
    description,
    method: `thoughtspace.v1.CandidateGen/${rpc}`,
    async setup(o) {
      const data = await requestData(o.dataset);
      const client = new CandidateGenClient(o.target, credentials.createInsecure());
      const call: Call =
        rpc === 'ScoreCandidates'
          ? (i) =>
              unary(
                (opts, cb) =>
                  client.scoreCandidates(
                    {
                      history: data.history(i),
                      candidateItemIds: data.candidates(i, 10),
                      model: '',
                    },
                    new Metadata(),
                    opts,
                    cb,
                  ),
                o.deadlineMs,
              )
          : (i) =>
              unary(
                (opts, cb) =>
                  client.generateCandidates(
                    {
                      history: data.history(i),
                      k: 100,
                      excludeItemIds: [],
                      model: '',
                      returnUserState: false,
                    },
                    new Metadata(),
                    opts,
                    cb,
                  ),
                o.deadlineMs,
              );
      return { call, close: () => client.close(), manifestHash: data.manifestHash };
    },
  };
}

/** The gateway's Recommend: the whole chain, counting answers that degraded to scoring without a reason. */
const recommend: Scenario = {
  name: 'recommend',
  description: 'gateway Recommend, k=10, default tree and candidates',
  method: 'thoughtspace.v1.Gateway/Recommend',
  async setup(o) {
    const data = await requestData(o.dataset);
    const client = new GatewayClient(o.target, credentials.createInsecure());
    let degraded = 0;
    const call: Call = async (i) => {
      const res = await unary<RecommendResponse>(
        (opts, cb) =>
          client.recommend(
            { subject: { $case: 'history', value: data.history(i) }, k: 10 },
            new Metadata(),
            opts,
            cb,
          ),
        o.deadlineMs,
      );
      if (res.degraded) degraded++;
      return res;
    };
    return {
      call,
      close: () => client.close(),
      manifestHash: data.manifestHash,
      counters: () => ({ degraded }),
    };
  },
};

export const SCENARIOS: Record<string, Scenario> = {
  recommend,
  score: candidateGenScenario(
    'score',
    'candidate-gen ScoreCandidates, 10 candidates per request',
    'ScoreCandidates',
  ),
  generate: candidateGenScenario(
    'generate',
    'candidate-gen GenerateCandidates, top-100 over the catalogue',
    'GenerateCandidates',
  ),
};
