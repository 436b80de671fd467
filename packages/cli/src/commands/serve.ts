import type { Command } from 'commander';
import { runCandidateGen } from '@thoughtspace/candidate-gen';
import { intArg } from '../options';

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description(
      'run a service as a gRPC server (configuration from flags and the environment, see docs/grpc.md)',
    );
  serve
    .command('candidate-gen')
    .description(
      'serve a trained SASRec model: GenerateCandidates, ScoreCandidates, SimilarUsers, embeddings, grpc.health.v1',
    )
    .requiredOption(
      '--model <dir>',
      'model directory written by `thoughtspace train sasrec` (env MODEL_DIR)',
    )
    .option('--port <n>', 'gRPC port (env GRPC_PORT, default 50051)', intArg('--port'))
    .option('--host <addr>', 'interface to bind (env GRPC_HOST, default 0.0.0.0)')
    .action(async (flags: { model: string; port?: number; host?: string }) => {
      const env: NodeJS.ProcessEnv = { ...process.env, MODEL_DIR: flags.model };
      if (flags.port !== undefined) env.GRPC_PORT = String(flags.port);
      if (flags.host !== undefined) env.GRPC_HOST = flags.host;
      const { port } = await runCandidateGen(env);
      process.stderr.write(
        `candidate-gen serving ${flags.model} on port ${port} (SIGTERM or Ctrl-C stops it gracefully)\n`,
      );
      await new Promise<never>(() => undefined);
    });
}
