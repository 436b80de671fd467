import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { Command } from 'commander';
import {
  GatewayClient,
  RecommendRequest,
  RecommendResponse,
  SelectionStrategy,
} from '@thoughtspace/proto';
import { InvalidArgumentError, Status, ThoughtspaceError } from '@thoughtspace/runtime';
import { intArg } from '../options';
import { say } from '../output';

export function registerRecommend(program: Command): void {
  program
    .command('recommend')
    .description(
      'call a running gateway (thoughtspace up) for one user: ranked items, the selected rationale, stage timings',
    )
    .option(
      '--gateway <addr>',
      'gateway host:port (printed by `thoughtspace up`)',
      '127.0.0.1:50051',
    )
    .option('--user <id>', 'a user of the served dataset (their whole history is used)')
    .option('--history <ids>', 'comma-separated item ids, oldest first (instead of --user)')
    .option('--k <n>', 'items to return (1-100)', intArg('--k', 1), 10)
    .option('--timeout <ms>', 'deadline of the call', intArg('--timeout', 1), 10_000)
    .option('--json', 'print the response as JSON')
    .action(
      async (flags: {
        gateway: string;
        user?: string;
        history?: string;
        k: number;
        timeout: number;
        json?: boolean;
      }) => {
        if (!flags.user === !flags.history) {
          throw new InvalidArgumentError('recommend needs exactly one of --user or --history');
        }
        const request = RecommendRequest.fromPartial({
          subject: flags.user
            ? { $case: 'userId', value: flags.user }
            : {
                $case: 'history',
                value: { interactions: flags.history!.split(',').map((itemId) => ({ itemId })) },
              },
          k: flags.k,
        });
        const client = new GatewayClient(flags.gateway, credentials.createInsecure());
        let res: RecommendResponse;
        try {
          res = await new Promise<RecommendResponse>((ok, fail) =>
            client.recommend(
              request,
              new Metadata(),
              { deadline: Date.now() + flags.timeout },
              (err: ServiceError | null, r) => (err ? fail(err) : ok(r)),
            ),
          );
        } catch (err) {
          const e = err as ServiceError;
          throw new ThoughtspaceError(
            e.code as number as Status,
            `gateway ${flags.gateway}: ${e.details}`,
          );
        } finally {
          client.close();
        }
        if (flags.json) {
          say(JSON.stringify(RecommendResponse.toJSON(res), null, 2));
          return;
        }
        res.items.forEach((it, i) =>
          say(
            `${String(i + 1).padStart(3)}. ${it.itemId}  ${it.score.toFixed(3)}  ${it.item?.title ?? ''}`,
          ),
        );
        say(
          res.degraded
            ? `\nno reason (degraded: ${res.degradedReason})`
            : `\nreason (${SelectionStrategy[res.strategy]}, ${res.rationale?.provider}): ${res.rationale?.reason}`,
        );
        say(
          `timings: ${res.timings.map((t) => `${t.stage} ${t.durationMs.toFixed(1)} ms`).join(', ')}; total ${res.durationMs.toFixed(1)} ms`,
        );
      },
    );
}
