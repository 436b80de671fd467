#!/usr/bin/env node
// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js (serve, up).
import '@thoughtspace/service-kit/dist/instrument';
import { main } from './program';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `thoughtspace: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
