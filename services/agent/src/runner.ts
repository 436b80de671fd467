import {
  jobName,
  runSelector,
  stageJob,
  topologicalOrder,
  type JobContext,
  type Stage,
} from './dag';
import { StatusRecorder } from './status';
import { statusCodeOf, type KubeApi } from './types';
import { JobTracker } from './watch';

export interface StageState {
  stage: string;
  state: 'pending' | 'running' | 'succeeded' | 'failed';
  attempts: number;
  job?: string;
}

export interface DagResult {
  ok: boolean;
  stages: StageState[];
  failedStage?: string;
}

export interface RunDagOptions {
  api: KubeApi;
  stages: readonly Stage[];
  context: JobContext;
  /** Attempts per stage, first included (default 3). */
  maxAttempts?: number;
  status: StatusRecorder;
  log: (line: string) => void;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * Runs the DAG as Jobs: every stage whose dependencies succeeded is started
 * (independent stages run side by side), each failed attempt is retried as a
 * new Job up to maxAttempts, and progress is recorded in the status object.
 * A Job that already exists (409, e.g. the agent restarted) is adopted, not
 * re-created.
 */
export async function runDag(o: RunDagOptions): Promise<DagResult> {
  const order = topologicalOrder(o.stages);
  const maxAttempts = o.maxAttempts ?? 3;
  const states = new Map<string, StageState>(
    order.map((s) => [s.name, { stage: s.name, state: 'pending', attempts: 0 }]),
  );
  const tracker = new JobTracker({
    api: o.api,
    labelSelector: runSelector(o.context.runId),
    log: o.log,
    backoff: o.backoff,
  });
  await tracker.start();
  const record = () => o.status.update({ stages: [...states.values()] });
  await record();

  const runStage = async (stage: Stage): Promise<boolean> => {
    const st = states.get(stage.name) as StageState;
    while (st.attempts < maxAttempts) {
      st.attempts++;
      const job = stageJob(stage, st.attempts, o.context);
      st.job = job.metadata.name;
      st.state = 'running';
      try {
        await o.api.createJob(job);
        o.log(
          `stage ${stage.name}: started job ${job.metadata.name} (attempt ${st.attempts}/${maxAttempts})`,
        );
      } catch (err) {
        if (statusCodeOf(err) !== 409) throw err;
        o.log(`stage ${stage.name}: job ${job.metadata.name} already exists; following it`);
      }
      await record();
      const outcome = await tracker.wait(jobName(o.context.runId, stage.name, st.attempts));
      o.log(`stage ${stage.name}: job ${job.metadata.name} ${outcome}`);
      if (outcome === 'succeeded') {
        st.state = 'succeeded';
        await record();
        return true;
      }
    }
    st.state = 'failed';
    await record();
    return false;
  };

  const running = new Map<string, Promise<boolean>>();
  let failedStage: string | undefined;
  try {
    while (!failedStage) {
      for (const s of order) {
        const st = states.get(s.name) as StageState;
        const ready =
          st.state === 'pending' && s.after.every((d) => states.get(d)?.state === 'succeeded');
        if (ready && !running.has(s.name)) running.set(s.name, runStage(s));
      }
      if (running.size === 0) break;
      const [name, ok] = await Promise.race(
        [...running].map(([n, p]) => p.then((r) => [n, r] as const)),
      );
      running.delete(name);
      if (!ok) failedStage = name;
    }
    await Promise.allSettled(running.values());
  } finally {
    tracker.stop();
  }
  const stages = [...states.values()];
  return { ok: !failedStage && stages.every((s) => s.state === 'succeeded'), stages, failedStage };
}
