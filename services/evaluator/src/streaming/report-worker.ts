/**
 * Worker-thread entry of the streaming evaluator's reports: the bootstrap is
 * O(resamples x cases) and would otherwise stop the consumer's event loop
 * for seconds on a large stream. Receives the joined cases as columns,
 * answers with the same reports `JoinState.report` computes in-process.
 */
import { parentPort } from 'node:worker_threads';
import { describeError } from '@thoughtspace/runtime';
import { reportsOf } from './state';
import type { ReportRequest, ReportResponse } from './reports';

parentPort?.on('message', (req: ReportRequest) => {
  let res: ReportResponse;
  try {
    const started = performance.now();
    res = {
      id: req.id,
      reports: reportsOf(req.cases, req.window, req.bootstrap),
      ms: performance.now() - started,
    };
  } catch (err) {
    res = { id: req.id, error: describeError(err) };
  }
  parentPort!.postMessage(res);
});
