import { diag } from './diagnostics';
import { Command, CommanderError } from 'commander';
import { ThoughtspaceError, Status } from '@thoughtspace/runtime';
import { registerBaseline } from './commands/baseline';
import { registerData } from './commands/data';
import { registerEval } from './commands/eval';
import { registerRun } from './commands/run';
import { registerTrain } from './commands/train';
import { registerServe } from './commands/serve';
import { registerUp } from './commands/up';
import { registerRecommend } from './commands/recommend';
import { registerMetrics, registerReplay } from './commands/kafka';
import { TOOL } from '@thoughtspace/data';

export function buildProgram(): Command {
  const program = new Command('thoughtspace')
    .description(
      'Reasoning-augmented sequential recommendation: data, baselines, evaluation and the main pipeline.',
    )
    .version(TOOL.version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .enablePositionalOptions();
  registerData(program);
  registerBaseline(program);
  registerEval(program);
  registerTrain(program);
  registerServe(program);
  registerUp(program);
  registerRecommend(program);
  registerRun(program);
  registerReplay(program);
  registerMetrics(program);
  return program;
}

/** Exit codes: 0 ok, 1 internal error, 2 usage or invalid input, 3 not found / precondition. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ThoughtspaceError) {
      diag.error(`thoughtspace: ${err.message}`);
      if (err.code === Status.INVALID_ARGUMENT) return 2;
      if (err.code === Status.NOT_FOUND || err.code === Status.FAILED_PRECONDITION) return 3;
      return 1;
    }
    throw err;
  }
}
