/**
 * Gateway benchmark: Recommend over gRPC with every service its own process
 * (`thoughtspace up`), open loop at fixed arrival rates, end-to-end and
 * per-stage p50/p99, the highest rate whose p99 stays under 100 ms and RSS
 * per process — beside a grpc-js echo server (its own process, same payload
 * size) at the same rates in the same run, the transport's floor. Then
 * candidate-gen ScoreCandidates against the echo at 1,000 requests/s.
 * Writes bench/results/gateway.json.
 *
 *   npm run bench -- gateway --run runs/main [--rates 25,50,100,200] [--seconds 10]
 *                            [--rounds 3] [--score-rate 1000] [--kafka] [--ort-threads 1]
 *                            [--out bench/results/gateway.json]
 *
 * Each rate runs `--rounds` rounds of (Recommend for `--seconds`, then the
 * echo for `--seconds`), so both see the same spells of a shared machine;
 * the ratio is the median of the rounds' p99 ratios, and the quantiles
 * over all rounds are kept beside it (as bench/kafka.ts does).
 *
 * Per process it also records CPU milliseconds per Recommend at each rate
 * (where the work goes) and idle CPU per second before the load. `--kafka`
 * also starts the broker and the Kafka stage workers (off by default: they
 * are not on Recommend's path).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  CandidateGenClient,
  GatewayClient,
  RecommendRequest,
  ScoreCandidatesRequest,
  type RecommendResponse,
} from '@thoughtspace/proto';
import { arg, positiveInt } from './lib/args';
import { openLoop } from './lib/open-loop';
import { cpuSeconds, machineInfo } from './lib/proc';
import { loadBundleHistories, scoreCandidatesRequest } from './lib/bundle-requests';
import { median, quantiles, type Quantiles } from './lib/stats';

const REPO = resolve(__dirname, '..', '..');
const BIN = join(REPO, 'packages', 'cli', 'bin', 'thoughtspace.js');

interface Calls {
  latencies: number[];
  errors: string[];
}

/** Adds one round of a measured RPC and its echo to the pooled calls; the round's own quantiles. */
function poolRound(
  pooled: Calls,
  round: Calls,
  pooledEcho: Calls,
  roundEcho: Calls,
): { rq: Quantiles; eq: Quantiles } {
  pooled.latencies.push(...round.latencies);
  pooled.errors.push(...round.errors);
  pooledEcho.latencies.push(...roundEcho.latencies);
  pooledEcho.errors.push(...roundEcho.errors);
  return { rq: quantiles(round.latencies), eq: quantiles(roundEcho.latencies) };
}

const ECHO_SERVER = `
const grpc = require(${JSON.stringify(require.resolve('@grpc/grpc-js'))});
const id = (b) => b;
const server = new grpc.Server();
server.addService({ echo: { path: '/bench.Echo/Echo', requestStream: false, responseStream: false,
  requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } },
  { echo: (call, cb) => cb(null, call.request) });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write('port ' + port + '\\n');
});
`;

function startEcho(): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /port (\d+)/.exec(text);
      if (m) ok({ child, address: `127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => fail(new Error(`echo server exited ${code}`)));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function unary<Res>(
  fn: (cb: (err: ServiceError | null, res: Res) => void) => unknown,
): Promise<Res> {
  return new Promise((ok, fail) => fn((err, res) => (err ? fail(err) : ok(res))));
}

async function main(): Promise<void> {
  const runDir = arg('run', 'runs/main');
  const rates = arg('rates', '25,50,100,200').split(',').map(Number);
  const seconds = Number(arg('seconds', '10'));
  const rounds = positiveInt('rounds', '3');
  const warmupSeconds = Number(arg('warmup-seconds', '3'));
  const scoreRate = Number(arg('score-rate', '1000'));
  const out = arg('out', join(REPO, 'bench', 'results', 'gateway.json'));
  const { bundle, dataset, histories } = await loadBundleHistories(runDir);
  process.stderr.write(`starting the services of ${bundle.dir} (thoughtspace up) ...\n`);
  // The Kafka stage workers are not on Recommend's path; `--kafka` starts them too (their idle
  // polling is measured below either way when present).
  const withKafka = process.argv.includes('--kafka');
  const ortThreads = arg('ort-threads', '1');
  const up = spawnSync(
    process.execPath,
    [BIN, 'up', '--run', runDir, ...(withKafka ? [] : ['--no-kafka'])],
    {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'warn', ORT_THREADS: ortThreads },
    },
  );
  if (up.status !== 0) throw new Error(`thoughtspace up failed: ${up.stderr}`);
  const state = JSON.parse(await readFile(join(bundle.dir, 'up.json'), 'utf8')) as {
    services: { name: string; pid: number; address: string }[];
  };
  const address = (name: string) => state.services.find((s) => s.name === name)!.address;
  const echo = await startEcho();
  const gateway = new GatewayClient(address('gateway'), credentials.createInsecure());
  const candidateGen = new CandidateGenClient(
    address('candidate-gen'),
    credentials.createInsecure(),
  );
  const echoClient = new Client(echo.address, credentials.createInsecure());
  const echoCall = (payload: Buffer) =>
    unary<Buffer | undefined>((cb) =>
      echoClient.makeUnaryRequest(
        '/bench.Echo/Echo',
        (b: Buffer) => b,
        (b: Buffer) => b,
        payload,
        new Metadata(),
        { deadline: Date.now() + 10_000 },
        cb,
      ),
    );
  const recommendReq = (i: number) =>
    RecommendRequest.fromPartial({
      subject: {
        $case: 'history',
        value: { interactions: histories[i % histories.length].map((itemId) => ({ itemId })) },
      },
      k: 10,
    });
  const rss: Record<string, number> = {};
  const sampleRss = () => {
    for (const s of state.services) rss[s.name] = Math.max(rss[s.name] ?? 0, rssMiB(s.pid));
  };
  const sampleCpu = () =>
    Object.fromEntries(state.services.map((s) => [s.name, cpuSeconds(s.pid)]));
  /** CPU milliseconds each process spent per request between two samples (where the work goes). */
  const cpuPerRequest = (before: Record<string, number>, requests: number) => {
    const after = sampleCpu();
    const per = Object.fromEntries(
      state.services.map((s) => [s.name, ((after[s.name] - before[s.name]) * 1000) / requests]),
    );
    const total = Object.values(per).reduce((a, b) => a + b, 0);
    return { ...per, total } as Record<string, number>;
  };
  /** Starts measuring: then CPU ms per call of server process `pid` and of this process (the client). */
  const cpuMeter = (pid: number) => {
    const before = { server: cpuSeconds(pid), client: process.cpuUsage() };
    return (calls: number) => {
      const client = process.cpuUsage(before.client);
      return {
        server: ((cpuSeconds(pid) - before.server) * 1000) / calls,
        client: (client.user + client.system) / 1000 / calls,
      };
    };
  };
  try {
    // Warm-up: model sessions, connections, JIT.
    for (let i = 0; i < 20; i++) {
      await unary<RecommendResponse>((cb) =>
        gateway.recommend(recommendReq(i), new Metadata(), { deadline: Date.now() + 10_000 }, cb),
      );
      await echoCall(Buffer.from(RecommendRequest.encode(recommendReq(i)).finish()));
    }
    // Then open loop at the first rate, not recorded: without it the first rate's tail is the
    // processes' optimising compilers and first concurrent calls, not the rate.
    await openLoop(rates[0], warmupSeconds, async (i) => {
      await unary<RecommendResponse>((cb) =>
        gateway.recommend(recommendReq(i), new Metadata(), { deadline: Date.now() + 5_000 }, cb),
      );
      await echoCall(Buffer.from(RecommendRequest.encode(recommendReq(i)).finish()));
    });
    // What each process burns with no requests (timers, Kafka polling): CPU ms per second.
    const idleBefore = sampleCpu();
    await new Promise((r) => setTimeout(r, 5000));
    const idleAfter = sampleCpu();
    const idleCpuMsPerSecond = Object.fromEntries(
      state.services.map((s) => [s.name, ((idleAfter[s.name] - idleBefore[s.name]) * 1000) / 5]),
    );
    const rows = [];
    for (const rate of rates) {
      const rec = { latencies: [] as number[], errors: [] as string[], lateStartMs: 0 };
      const ech = { latencies: [] as number[], errors: [] as string[] };
      const stages: Record<string, number[]> = {};
      const cpuMs: Record<string, number> = {};
      const echoCpu = { server: 0, client: 0 };
      const perRound = [];
      let degraded = 0;
      for (let round = 1; round <= rounds; round++) {
        process.stderr.write(
          `Recommend at ${rate}/s for ${seconds}s (round ${round}/${rounds}) ...\n`,
        );
        const cpuBefore = sampleCpu();
        const r = await openLoop(rate, seconds, async (i) => {
          const res = await unary<RecommendResponse>((cb) =>
            gateway.recommend(
              recommendReq(i),
              new Metadata(),
              { deadline: Date.now() + 5_000 },
              cb,
            ),
          );
          if (res.degraded) degraded++;
          for (const t of res.timings) (stages[t.stage] ??= []).push(t.durationMs);
        });
        for (const [k, v] of Object.entries(cpuPerRequest(cpuBefore, r.latencies.length)))
          cpuMs[k] = (cpuMs[k] ?? 0) + v / rounds;
        sampleRss();
        process.stderr.write(`echo at ${rate}/s for ${seconds}s (round ${round}/${rounds}) ...\n`);
        const echoCpuOf = cpuMeter(echo.child.pid!);
        const e = await openLoop(rate, seconds, async (i) => {
          await echoCall(Buffer.from(RecommendRequest.encode(recommendReq(i)).finish()));
        });
        // One bare grpc-js call's CPU, both sides: the transport's share of a Recommend's calls.
        const perCall = echoCpuOf(e.latencies.length);
        echoCpu.server += perCall.server / rounds;
        echoCpu.client += perCall.client / rounds;
        rec.lateStartMs = Math.max(rec.lateStartMs, r.lateStartMs);
        const { rq, eq } = poolRound(rec, r, ech, e);
        perRound.push({
          recommendP50Ms: rq.p50Ms,
          recommendP99Ms: rq.p99Ms,
          echoP99Ms: eq.p99Ms,
          p99RatioToEcho: rq.p99Ms / eq.p99Ms,
        });
        process.stderr.write(
          `  Recommend p50 ${rq.p50Ms.toFixed(1)} ms, p99 ${rq.p99Ms.toFixed(1)} ms; echo p99 ${eq.p99Ms.toFixed(2)} ms: ${(rq.p99Ms / eq.p99Ms).toFixed(1)}x\n`,
        );
      }
      const recommend = quantiles(rec.latencies);
      const floor = quantiles(ech.latencies);
      const ratio = median(perRound.map((r) => r.p99RatioToEcho));
      rows.push({
        rate,
        recommend: {
          ...recommend,
          errors: rec.errors.length,
          firstErrors: [...new Set(rec.errors)].slice(0, 3),
          degraded,
          lateStartMs: rec.lateStartMs,
          stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, quantiles(v)])),
          cpuMsPerRequest: cpuMs,
        },
        echo: {
          ...floor,
          errors: ech.errors.length,
          firstErrors: [...new Set(ech.errors)].slice(0, 3),
          cpuMsPerCall: echoCpu,
        },
        rounds: perRound,
        // The median of the rounds' ratios; the pooled quantiles' ratio beside it.
        p99RatioToEcho: ratio,
        pooledP99RatioToEcho: recommend.p99Ms / floor.p99Ms,
      });
      process.stderr.write(
        `  ${rate}/s over ${rounds} rounds: Recommend p50 ${recommend.p50Ms.toFixed(1)} ms, p99 ${recommend.p99Ms.toFixed(1)} ms (${rec.errors.length} errors, ${degraded} degraded); echo p99 ${floor.p99Ms.toFixed(2)} ms; median ratio ${ratio.toFixed(1)}x\n` +
          `  CPU ms per Recommend: ${Object.entries(cpuMs)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', ')}\n`,
      );
    }
    process.stderr.write(
      `ScoreCandidates (10 candidates) at ${scoreRate}/s, ${rounds} rounds of ${seconds}s and the echo ...\n`,
    );
    const scoreReq = (i: number) => scoreCandidatesRequest(histories, dataset.itemIds, i);
    const sc = { latencies: [] as number[], errors: [] as string[] };
    const scEcho = { latencies: [] as number[], errors: [] as string[] };
    const scoreRounds = [];
    // CPU ms per call: candidate-gen's and this process's for ScoreCandidates, both sides' for the echo.
    const scoreCpu = { candidateGen: 0, client: 0, echoServer: 0, echoClient: 0 };
    for (let round = 1; round <= rounds; round++) {
      process.stderr.write(`  round ${round}/${rounds} ...\n`);
      const scoreCpuOf = cpuMeter(state.services.find((svc) => svc.name === 'candidate-gen')!.pid);
      const r = await openLoop(scoreRate, seconds, async (i) => {
        await unary((cb) =>
          candidateGen.scoreCandidates(
            scoreReq(i),
            new Metadata(),
            { deadline: Date.now() + 5_000 },
            cb,
          ),
        );
      });
      const scorePerCall = scoreCpuOf(r.latencies.length);
      scoreCpu.candidateGen += scorePerCall.server / rounds;
      scoreCpu.client += scorePerCall.client / rounds;
      sampleRss();
      const echoCpuOf = cpuMeter(echo.child.pid!);
      const e = await openLoop(scoreRate, seconds, async (i) => {
        await echoCall(Buffer.from(ScoreCandidatesRequest.encode(scoreReq(i)).finish()));
      });
      const echoPerCall = echoCpuOf(e.latencies.length);
      scoreCpu.echoServer += echoPerCall.server / rounds;
      scoreCpu.echoClient += echoPerCall.client / rounds;
      const { rq, eq } = poolRound(sc, r, scEcho, e);
      scoreRounds.push({
        p99Ms: rq.p99Ms,
        echoP99Ms: eq.p99Ms,
        p99RatioToEcho: rq.p99Ms / eq.p99Ms,
      });
      process.stderr.write(
        `  ScoreCandidates p99 ${rq.p99Ms.toFixed(1)} ms; echo p99 ${eq.p99Ms.toFixed(2)} ms: ${(rq.p99Ms / eq.p99Ms).toFixed(1)}x\n`,
      );
    }
    const score = quantiles(sc.latencies);
    const scoreFloor = quantiles(scEcho.latencies);
    process.stderr.write(
      `  CPU ms per call: ScoreCandidates candidate-gen ${scoreCpu.candidateGen.toFixed(3)}, client ${scoreCpu.client.toFixed(3)}; echo server ${scoreCpu.echoServer.toFixed(3)}, client ${scoreCpu.echoClient.toFixed(3)}\n`,
    );
    const passing = rows.filter((r) => r.recommend.errors === 0 && r.recommend.p99Ms < 100);
    const result = {
      benchmark: 'gateway',
      command: `npm run bench -- gateway ${process.argv.slice(2).join(' ')}`.trim(),
      createdAt: new Date().toISOString(),
      bundle: {
        dir: bundle.dir,
        dataset: bundle.manifest.dataset,
        seed: bundle.manifest.seed,
        provider: bundle.manifest.provider,
        // The scorer's per-candidate features (the last one: which agreement definition, decision 0019).
        scorerFeatures: (
          JSON.parse(readFileSync(join(bundle.dir, 'scorer', 'model.json'), 'utf8')) as {
            features: string[];
          }
        ).features,
      },
      // Other work on the machine during the run: its load averages at the end.
      machine: machineInfo(),
      note: 'latency quantiles include failed calls at the time they failed (deadline 5 s for Recommend and ScoreCandidates, 10 s for echo)',
      secondsPerRate: seconds,
      // Each rate: this many rounds of Recommend then echo, `secondsPerRate` each.
      rounds,
      warmupSeconds,
      request: { k: 10, candidates: 'gateway default', tree: 'default (depth 2, b1 2, b2 3)' },
      ortThreads: Number(ortThreads),
      processes: withKafka
        ? 'seven services, broker and Kafka stage workers'
        : 'seven services (up --no-kafka)',
      rates: rows,
      highestRateWithP99Under100Ms: passing.length ? Math.max(...passing.map((r) => r.rate)) : null,
      rssMiB: rss,
      idleCpuMsPerSecond,
      scoreCandidates: {
        rate: scoreRate,
        candidates: 10,
        ...score,
        errors: sc.errors.length,
        firstErrors: [...new Set(sc.errors)].slice(0, 3),
        echo: {
          ...scoreFloor,
          errors: scEcho.errors.length,
          firstErrors: [...new Set(scEcho.errors)].slice(0, 3),
        },
        rounds: scoreRounds,
        cpuMsPerCall: scoreCpu,
        p99RatioToEcho: median(scoreRounds.map((r) => r.p99RatioToEcho)),
        pooledP99RatioToEcho: score.p99Ms / scoreFloor.p99Ms,
      },
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
    console.log(
      JSON.stringify(
        {
          rates: rows.map((r) => ({
            rate: r.rate,
            p50: r.recommend.p50Ms,
            p99: r.recommend.p99Ms,
            echoP99: r.echo.p99Ms,
            degraded: r.recommend.degraded,
            errors: r.recommend.errors,
          })),
          highest: result.highestRateWithP99Under100Ms,
          rss,
          scoreCandidates: { p99: score.p99Ms, echoP99: scoreFloor.p99Ms },
        },
        null,
        1,
      ),
    );
  } finally {
    gateway.close();
    candidateGen.close();
    echoClient.close();
    echo.child.kill('SIGTERM');
    spawnSync(process.execPath, [BIN, 'down', '--run', runDir], { stdio: 'inherit' });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `gateway benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
