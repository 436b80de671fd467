/**
 * SASRec's serving windows (decision 0034) on and off in the same run: two
 * candidate-gen processes serve one main run's model directory, one with
 * SEQUENCE_WINDOWS=on (the default) and one with off, and take
 * ScoreCandidates (10 candidates; the test users' histories as the gateway
 * bench sends them) at a fixed rate in alternating rounds. Per side: server
 * CPU ms per call and p50/p99; the ratios are medians of same-round ratios.
 * Before the rounds both answer the same requests, and the largest score
 * difference between their answers is recorded.
 *
 *   npm run bench -- sequence-windows [--run runs/main] [--rate 1000] [--seconds 10]
 *                                     [--rounds 4] [--out bench/results/sequence-windows.json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { windowLengths } from '@thoughtspace/candidate-gen';
import {
  CandidateGenClient,
  ScoreCandidatesRequest,
  type ScoreCandidatesResponse,
} from '@thoughtspace/proto';
import { arg, positiveInt } from './lib/args';
import { openLoop } from './lib/open-loop';
import { cpuSeconds, machineInfo } from './lib/proc';
import { loadBundleHistories, scoreCandidatesRequest } from './lib/bundle-requests';
import { median, quantiles } from './lib/stats';

const REPO = resolve(__dirname, '..', '..');
const MAIN = join(REPO, 'services', 'candidate-gen', 'dist', 'main.js');
const SIDES = ['on', 'off'] as const;
type Side = (typeof SIDES)[number];

interface Server {
  child: ChildProcess;
  client: CandidateGenClient;
}

/** candidate-gen on a free port; resolves once its "ready" log line (stderr) names the address. */
function startServer(modelDir: string, windows: Side): Promise<Server> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      MODEL_DIR: modelDir,
      GRPC_PORT: '0',
      ORT_THREADS: '1',
      LOG_LEVEL: 'info',
      SEQUENCE_WINDOWS: windows,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let text = '';
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      const m =
        /"address":"([^"]+)"[^\n]*candidate-gen ready|candidate-gen ready[^\n]*"address":"([^"]+)"/.exec(
          text,
        );
      if (m) {
        const address = (m[1] ?? m[2]).replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
        ok({ child, client: new CandidateGenClient(address, credentials.createInsecure()) });
      }
    });
    child.on('exit', (code) =>
      fail(new Error(`candidate-gen (windows ${windows}) exited ${code}`)),
    );
  });
}

function score(server: Server, req: ScoreCandidatesRequest): Promise<ScoreCandidatesResponse> {
  return new Promise((ok, fail) =>
    server.client.scoreCandidates(req, new Metadata(), { deadline: Date.now() + 5_000 }, (e, r) =>
      e ? fail(e) : ok(r),
    ),
  );
}

async function main(): Promise<void> {
  const runDir = arg('run', 'runs/main');
  const rate = positiveInt('rate', '1000');
  const seconds = positiveInt('seconds', '10');
  const rounds = positiveInt('rounds', '4');
  const out = arg('out', join(REPO, 'bench', 'results', 'sequence-windows.json'));
  const { bundle, dataset, histories } = await loadBundleHistories(runDir);
  const request = (i: number) => scoreCandidatesRequest(histories, dataset.itemIds, i);
  const modelDir = bundle.modelDirs['candidate-gen'];
  const servers = {} as Record<Side, Server>;
  for (const side of SIDES) servers[side] = await startServer(modelDir, side);
  try {
    process.stderr.write(`both sides answer the same ${histories.length} requests ...\n`);
    let maxAbsDiff = 0;
    let identical = 0;
    let compared = 0;
    for (let i = 0; i < histories.length; i++) {
      const [on, off] = await Promise.all(SIDES.map((side) => score(servers[side], request(i))));
      on.candidates!.candidates.forEach((c, j) => {
        const d = Math.abs(c.score - off.candidates!.candidates[j].score);
        maxAbsDiff = Math.max(maxAbsDiff, d);
        identical += d === 0 ? 1 : 0;
        compared++;
      });
    }
    // Which graph served each request: the smallest window holding its last maxLen items.
    const { maxLen } = (
      JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as {
        config: { maxLen: number };
      }
    ).config;
    const lengths = windowLengths(maxLen);
    const servedBy = (n: number) => lengths.find((w) => w >= Math.min(n, maxLen)) ?? 'file';
    const share = [...lengths, 'file' as const].map((w) => ({
      graph: w === 'file' ? 'model.onnx' : `window ${w}`,
      share: histories.filter((h) => servedBy(h.length) === w).length / histories.length,
    }));
    const perRound: Record<Side, { cpuMsPerCall: number; p50Ms: number; p99Ms: number }>[] = [];
    let offset = 0;
    for (let r = 1; r <= rounds; r++) {
      const row = {} as (typeof perRound)[number];
      // Alternate which side goes first, so neither always meets the same moment of a round.
      for (const side of r % 2 ? SIDES : [...SIDES].reverse()) {
        const pid = servers[side].child.pid!;
        const before = cpuSeconds(pid);
        const start = offset;
        const res = await openLoop(rate, seconds, async (i) => {
          await score(servers[side], request(start + i));
        });
        offset += rate * seconds;
        if (res.errors.length)
          throw new Error(`${side}: ${res.errors.length} calls failed: ${res.errors[0]}`);
        const q = quantiles(res.latencies);
        row[side] = {
          cpuMsPerCall: ((cpuSeconds(pid) - before) * 1000) / res.latencies.length,
          p50Ms: q.p50Ms,
          p99Ms: q.p99Ms,
        };
        process.stderr.write(
          `round ${r}/${rounds} windows ${side.padEnd(3)}: ${row[side].cpuMsPerCall.toFixed(3)} ms CPU per call, p50 ${q.p50Ms.toFixed(2)} ms, p99 ${q.p99Ms.toFixed(2)} ms\n`,
        );
      }
      perRound.push(row);
    }
    const side = (s: Side) => ({
      cpuMsPerCall: median(perRound.map((row) => row[s].cpuMsPerCall)),
      p50Ms: median(perRound.map((row) => row[s].p50Ms)),
      p99Ms: median(perRound.map((row) => row[s].p99Ms)),
      rounds: perRound.map((row) => row[s]),
    });
    const result = {
      benchmark: 'sequence-windows',
      command: `npm run bench -- sequence-windows ${process.argv.slice(2).join(' ')}`.trim(),
      createdAt: new Date().toISOString(),
      machine: machineInfo(),
      bundle: {
        dir: bundle.dir,
        dataset: bundle.manifest.dataset,
        seed: bundle.manifest.seed,
        provider: bundle.manifest.provider,
      },
      request: "ScoreCandidates, 10 candidates, the test users' histories in turn",
      rate,
      seconds,
      rounds,
      windows: lengths,
      servedBy: share,
      agreement: { scores: compared, maxAbsDiff, identicalShare: identical / compared },
      on: side('on'),
      off: side('off'),
      // Same-round ratios, on / off.
      cpuRatio: median(perRound.map((row) => row.on.cpuMsPerCall / row.off.cpuMsPerCall)),
      p99Ratio: median(perRound.map((row) => row.on.p99Ms / row.off.p99Ms)),
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(result, null, 2) + '\n');
    process.stderr.write(
      `windows on/off: CPU per call ${result.on.cpuMsPerCall.toFixed(3)} / ${result.off.cpuMsPerCall.toFixed(3)} ms (${result.cpuRatio.toFixed(2)}x), p99 ${result.on.p99Ms.toFixed(2)} / ${result.off.p99Ms.toFixed(2)} ms (${result.p99Ratio.toFixed(2)}x); largest score difference ${maxAbsDiff.toExponential(2)}\nwrote ${out}\n`,
    );
  } finally {
    for (const s of SIDES) {
      servers[s].client.close();
      servers[s].child.kill();
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
