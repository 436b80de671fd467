import type { Command } from 'commander';
import { runCandidateGen } from '@thoughtspace/candidate-gen';
import { runEncoder } from '@thoughtspace/encoder';
import { runEvaluator } from '@thoughtspace/evaluator';
import { runGateway } from '@thoughtspace/gateway';
import { readServingBundle, type BundleModel } from '@thoughtspace/pipeline';
import { runRationaleGen } from '@thoughtspace/rationale-gen';
import { runScorer } from '@thoughtspace/scorer';
import type { RunningService } from '@thoughtspace/service-kit';
import { runTotSelector } from '@thoughtspace/tot-selector';
import { intArg } from '../options';

/** A flag of `serve <service>` and the environment variable it sets. */
interface EnvFlag {
  flag: string;
  env: string;
  help: string;
}

export interface ServiceSpec {
  description: string;
  flags: EnvFlag[];
  /** Variables filled from a bundle (`--run`): model directories and the dataset; `flags` may say which. */
  fromBundle(
    bundle: {
      modelDirs: Record<BundleModel, string>;
      dataset: string;
    },
    flags?: Record<string, unknown>,
  ): Record<string, string>;
  run(env: NodeJS.ProcessEnv): Promise<RunningService>;
}

const dataset = (bundle: { dataset: string }) => ({ DATASET: bundle.dataset });

/** The seven services, as `serve` and `up` start them. */
export const SERVICES: Record<string, ServiceSpec> = {
  'candidate-gen': {
    description:
      'SASRec: GenerateCandidates, ScoreCandidates, SimilarUsers, embeddings (model: MODEL_DIR)',
    flags: [{ flag: '--model <dir>', env: 'MODEL_DIR', help: 'SASRec model directory' }],
    fromBundle: (b) => ({ MODEL_DIR: b.modelDirs['candidate-gen'] }),
    run: runCandidateGen,
  },
  'rationale-gen': {
    description: 'GenerateRationale / StreamRationale with the configured providers (DATASET)',
    flags: [{ flag: '--dataset <name|dir>', env: 'DATASET', help: 'catalogue' }],
    fromBundle: dataset,
    run: runRationaleGen,
  },
  encoder: {
    description: 'Thought Space E1/E2: EncodeRationales, EncodeBehaviours, Agreement (MODEL_DIR)',
    flags: [{ flag: '--model <dir>', env: 'MODEL_DIR', help: 'encoder model directory' }],
    fromBundle: (b) => ({ MODEL_DIR: b.modelDirs.encoder }),
    run: runEncoder,
  },
  'tot-selector': {
    description:
      'Expand / Select over rationale-gen, with the Thought Space in process (THOUGHT_SPACE_DIR) or the encoder',
    flags: [
      {
        flag: '--rationale-gen <addr>',
        env: 'RATIONALE_GEN_ADDR',
        help: 'rationale-gen host:port',
      },
      {
        flag: '--thought-space <dir>',
        env: 'THOUGHT_SPACE_DIR',
        help: 'encoder model directory, run in this process',
      },
      {
        flag: '--encoder <addr>',
        env: 'ENCODER_ADDR',
        help: 'encoder host:port, instead of --thought-space',
      },
    ],
    // The bundle's Thought Space runs in process unless the encoder service is named.
    fromBundle: (b, flags): Record<string, string> =>
      flags?.encoder ? {} : { THOUGHT_SPACE_DIR: b.modelDirs.encoder },
    run: runTotSelector,
  },
  scorer: {
    description: 'Score: one logit per candidate given the selected reason',
    flags: [
      { flag: '--model <dir>', env: 'MODEL_DIR', help: 'scorer model directory' },
      { flag: '--sasrec <dir>', env: 'SASREC_MODEL_DIR', help: 'SASRec model directory' },
      { flag: '--encoder <dir>', env: 'ENCODER_MODEL_DIR', help: 'encoder model directory' },
      { flag: '--dataset <name|dir>', env: 'DATASET', help: 'catalogue' },
    ],
    fromBundle: (b) => ({
      MODEL_DIR: b.modelDirs.scorer,
      SASREC_MODEL_DIR: b.modelDirs['candidate-gen'],
      ENCODER_MODEL_DIR: b.modelDirs.encoder,
      DATASET: b.dataset,
    }),
    run: runScorer,
  },
  evaluator: {
    description: 'EvaluateSplit and GetMetrics (HR, NDCG, MRR with bootstrap CIs)',
    flags: [
      { flag: '--dataset <name|dir>', env: 'DATASET', help: 'dataset whose split targets fill in' },
      {
        flag: '--predictions-dir <dir>',
        env: 'PREDICTIONS_DIR',
        help: 'the folder predictions_uri may read',
      },
    ],
    fromBundle: dataset,
    run: runEvaluator,
  },
  gateway: {
    description: 'Recommend: the whole chain over the other services',
    flags: [
      { flag: '--dataset <name|dir>', env: 'DATASET', help: 'catalogue' },
      { flag: '--candidate-gen <addr>', env: 'CANDIDATE_GEN_ADDR', help: 'host:port' },
      { flag: '--rationale-gen <addr>', env: 'RATIONALE_GEN_ADDR', help: 'host:port' },
      { flag: '--tot-selector <addr>', env: 'TOT_SELECTOR_ADDR', help: 'host:port' },
      { flag: '--scorer <addr>', env: 'SCORER_ADDR', help: 'host:port' },
    ],
    fromBundle: dataset,
    run: runGateway,
  },
};

/** commander's camelCase key of a flag: `--rationale-gen <addr>` -> `rationaleGen`. */
const flagKey = (flag: string) =>
  flag
    .split(' ')[0]
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description(
      'run one service as a gRPC server; flags set its environment variables, the rest comes from the environment (docs/grpc.md)',
    );
  for (const [name, spec] of Object.entries(SERVICES)) {
    const cmd = serve
      .command(name)
      .description(spec.description)
      .option(
        '--run <dir>',
        'take model directories and the dataset from the servable bundle the main job wrote (runs/main)',
      )
      .option('--port <n>', 'gRPC port (env GRPC_PORT, default 50051)', intArg('--port'))
      .option('--host <addr>', 'interface to bind (env GRPC_HOST, default 0.0.0.0)');
    for (const f of spec.flags) cmd.option(f.flag, `${f.help} (env ${f.env})`);
    cmd.action(async (flags: Record<string, string | number | undefined>) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      if (typeof flags.run === 'string') {
        const bundle = await readServingBundle(flags.run);
        Object.assign(
          env,
          spec.fromBundle(
            { modelDirs: bundle.modelDirs, dataset: bundle.manifest.dataset.name },
            flags,
          ),
        );
      }
      for (const f of spec.flags) {
        const value = flags[flagKey(f.flag)];
        if (value !== undefined) env[f.env] = String(value);
      }
      if (flags.port !== undefined) env.GRPC_PORT = String(flags.port);
      if (flags.host !== undefined) env.GRPC_HOST = String(flags.host);
      const { port } = await spec.run(env);
      // The readiness announcement, not a diagnostic: tools and people wait for it
      // whatever LOG_LEVEL says (the JSON log has its own "listening" line).
      process.stderr.write(
        `${name} serving on port ${port} (SIGTERM or Ctrl-C stops it gracefully)\n`,
      );
      await new Promise<never>(() => undefined);
    });
  }
}
