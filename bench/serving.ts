/**
 * candidate-gen serving benchmark: latency p50/p99 and throughput of
 * ScoreCandidates (10 candidates) and GenerateCandidates (top-100 over all
 * items) at concurrency 1, 8 and 32, in-process (domain + onnxruntime) and
 * over gRPC loopback (a `thoughtspace serve candidate-gen` child process and a
 * grpc-js client). Writes bench/results/serving.json.
 *
 *   npm run bench -- serving --model <dir> --dataset <name> [--requests 2000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { createCandidateDomain, SasrecModel } from '@thoughtspace/candidate-gen';
import { leaveOneOut, prepareDataset, sequencesBefore } from '@thoughtspace/data';
import { CandidateGenClient } from '@thoughtspace/proto';
import { arg } from './lib/args';

interface LoadResult {
  concurrency: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  throughputPerSec: number;
}

async function load(
  requests: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= requests) return;
      const t = performance.now();
      await fn(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const total = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    concurrency,
    requests,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    throughputPerSec: requests / total,
  };
}

function startServer(modelDir: string): Promise<{ child: ChildProcess; port: number }> {
  const bin = resolve(__dirname, '..', '..', 'packages', 'cli', 'bin', 'thoughtspace.js');
  const child = spawn(
    process.execPath,
    [bin, 'serve', 'candidate-gen', '--model', modelDir, '--port', '0', '--host', '127.0.0.1'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    },
  );
  return new Promise((resolvePort, reject) => {
    let text = '';
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /on port (\d+)/.exec(text);
      if (m) resolvePort({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${text}`)));
  });
}

function rssOfChild(pid: number): Promise<number> {
  return import('node:fs/promises').then(async (fs) => {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  });
}

async function main(): Promise<void> {
  const modelDir = arg('model');
  const datasetName = arg('dataset', 'games-sasrec-2014');
  const requests = Number(arg('requests', '2000'));
  const concurrencies = [1, 8, 32];
  const { dataset, manifest } = await prepareDataset({ dataset: datasetName });
  const histories = sequencesBefore(leaveOneOut(dataset), 'test').map((s) =>
    Array.from(s, (i) => dataset.itemIds[i]),
  );
  const model = await SasrecModel.load(modelDir);
  if (model.manifest.dataset.manifestHash !== manifest.hash)
    throw new Error(`${modelDir} was not trained on ${datasetName}`);
  const domain = createCandidateDomain({ model });
  const candidatesFor = (i: number) =>
    Array.from(
      { length: 10 },
      (_, j) => dataset.itemIds[(i * 31 + j * 977) % dataset.itemIds.length],
    );
  const history = (i: number) => histories[i % histories.length];

  const results: Record<string, Record<string, LoadResult[]>> = {
    inProcess: { score10: [], generate100: [] },
    grpc: { score10: [], generate100: [] },
  };
  for (const c of concurrencies) {
    results.inProcess.score10.push(
      await load(requests, c, (i) =>
        domain.score({ history: history(i), candidates: candidatesFor(i) }),
      ),
    );
    results.inProcess.generate100.push(
      await load(Math.ceil(requests / 4), c, (i) =>
        domain.generate({ history: history(i), k: 100 }),
      ),
    );
    console.log(
      `in-process c=${c}: score10 p50 ${results.inProcess.score10.at(-1)?.p50Ms.toFixed(2)} ms, generate100 p50 ${results.inProcess.generate100.at(-1)?.p50Ms.toFixed(2)} ms`,
    );
  }
  const inProcessRssMiB = process.resourceUsage().maxRSS / 1024;
  await model.dispose();

  const { child, port } = await startServer(modelDir);
  const client = new CandidateGenClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const rpc = <Req, Res>(
    fn: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown,
    req: Req,
  ) =>
    new Promise<Res>((ok, fail) => fn.call(client, req, (err, res) => (err ? fail(err) : ok(res))));
  const asHistory = (ids: string[]) => ({
    userId: '',
    interactions: ids.map((itemId) => ({ itemId })),
  });
  try {
    for (const c of concurrencies) {
      results.grpc.score10.push(
        await load(requests, c, (i) =>
          rpc(client.scoreCandidates, {
            history: asHistory(history(i)),
            candidateItemIds: candidatesFor(i),
            model: '',
          }),
        ),
      );
      results.grpc.generate100.push(
        await load(Math.ceil(requests / 4), c, (i) =>
          rpc(client.generateCandidates, {
            history: asHistory(history(i)),
            k: 100,
            excludeItemIds: [],
            returnUserState: false,
            model: '',
          }),
        ),
      );
      console.log(
        `grpc c=${c}: score10 p50 ${results.grpc.score10.at(-1)?.p50Ms.toFixed(2)} ms, generate100 p50 ${results.grpc.generate100.at(-1)?.p50Ms.toFixed(2)} ms`,
      );
    }
  } finally {
    client.close();
  }
  const serverRssMiB = await rssOfChild(child.pid as number);
  child.kill('SIGTERM');

  console.log('\nmode        rpc          conc  p50 ms  p99 ms  req/s');
  for (const mode of ['inProcess', 'grpc'] as const) {
    for (const rpcName of ['score10', 'generate100'] as const) {
      for (const r of results[mode][rpcName]) {
        console.log(
          `${mode.padEnd(11)} ${rpcName.padEnd(12)} ${String(r.concurrency).padStart(4)}  ${r.p50Ms.toFixed(2).padStart(6)}  ${r.p99Ms.toFixed(2).padStart(6)}  ${r.throughputPerSec.toFixed(0).padStart(5)}`,
        );
      }
    }
  }
  console.log(
    `peak RSS: benchmark process ${inProcessRssMiB.toFixed(0)} MiB, gRPC server ${serverRssMiB.toFixed(0)} MiB`,
  );
  const out = {
    benchmark: 'candidate-gen-serving',
    dataset: { name: datasetName, manifestHash: manifest.hash },
    model: { dir: modelDir, config: model.manifest.config, numItems: model.numItems },
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    requests,
    results,
    peakRssMiB: { inProcess: inProcessRssMiB, grpcServer: serverRssMiB },
    command: `npm run bench -- serving --model ${modelDir} --dataset ${datasetName} --requests ${requests}`,
    createdAt: new Date().toISOString(),
  };
  const dir = resolve(__dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'serving.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${join(dir, 'serving.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
