// The GPU check's measurements (run by scripts/gpu-check.sh): SASRec training
// steps and candidate-gen scoring on the CPU provider and on --provider, with
// the outputs compared, plus node-llama-cpp loading stories260K with
// --llama-gpu. Writes one JSON results file; exits 1 when a check fails.
const { performance } = require('node:perf_hooks');
const { mkdtempSync, writeFileSync, mkdirSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve, dirname } = require('node:path');
const {
  prepareDataset,
  leaveOneOut,
  parseProtocol,
  sequencesBefore,
} = require('@thoughtspace/data');
const { Trainer, adam } = require('@thoughtspace/engine');
const cg = require('@thoughtspace/candidate-gen');

function parseArgs(argv) {
  const o = {
    provider: 'cuda',
    dataset: 'ml-100k',
    steps: 30,
    seed: 1,
    out: '',
    gguf: '',
    llamaGpu: 'cuda',
    users: 512,
    repeats: 5,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (!(key in o)) throw new Error(`unknown option ${argv[i]}`);
    o[key] = typeof o[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
    if (typeof o[key] === 'number' && !Number.isFinite(o[key]))
      throw new Error(`${argv[i]} must be a number`);
  }
  if (!['cpu', 'cuda'].includes(o.provider))
    throw new Error(`--provider must be cpu or cuda, got ${o.provider}`);
  if (!o.out) throw new Error('--out <file> is required');
  return o;
}

const say = (line) => process.stderr.write(`gpu-check: ${line}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `steps` SASRec training steps (dropout 0, so both providers see the same computation). */
async function trainSteps(provider, data, config, steps) {
  const model = cg.buildSasrec(config, data.dataset.itemIds.length);
  const trainer = await Trainer.create({
    graph: model.graph,
    loss: model.loss,
    optimizer: adam({ beta2: config.beta2 }),
    seed: config.seed,
    threads: config.threads,
    executionProvider: provider,
  });
  const losses = [];
  const ms = [];
  for (let epoch = 1; losses.length < steps; epoch++) {
    const batches = cg.epochBatches({
      sequences: data.loo.train,
      numItems: data.dataset.itemIds.length,
      maxLen: config.maxLen,
      batch: config.batch,
      loss: config.loss,
      negatives: config.negatives,
      seed: config.seed,
      epoch,
    });
    for (const batch of batches) {
      if (losses.length >= steps) break;
      const t0 = performance.now();
      const r = await trainer.trainStep(batch, { lr: config.lr });
      ms.push(performance.now() - t0);
      losses.push(r.loss);
    }
  }
  const parameters = new Map([...trainer.parameters].map(([k, v]) => [k, Float32Array.from(v)]));
  await trainer.dispose();
  // The first steps include session warm-up (and CUDA kernel selection).
  return { losses, msPerStep: median(ms.slice(Math.min(3, ms.length - 1))), parameters };
}

/** Score `users` test histories against 101 fixed candidates each, `repeats` times. */
async function scoreAll(provider, dir, histories, candidates, repeats) {
  const model = await cg.SasrecModel.load(dir, { executionProvider: provider, threads: 2 });
  const times = [];
  let scores = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    scores = [];
    for (let i = 0; i < histories.length; i += 128) {
      scores.push(
        ...(await model.scoreBatch(histories.slice(i, i + 128), candidates.slice(i, i + 128))),
      );
    }
    times.push(performance.now() - t0);
  }
  await model.dispose();
  return { scores, msPerPass: median(times.slice(1)) };
}

async function llamaRun(gguf, gpu) {
  const { getLlama, LlamaCompletion } = await import('node-llama-cpp');
  const llama = await getLlama({
    gpu: gpu === 'false' ? false : gpu,
    build: 'never',
    logLevel: 'error',
  });
  const model = await llama.loadModel({ modelPath: gguf, gpuLayers: gpu === 'false' ? 0 : 'max' });
  const context = await model.createContext({ contextSize: 256, threads: 1 });
  const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
  const t0 = performance.now();
  const text = await completion.generateCompletion('Once upon a time', {
    maxTokens: 48,
    temperature: 0,
  });
  const seconds = (performance.now() - t0) / 1000;
  const result = { backend: llama.gpu || 'cpu', gpuLayers: model.gpuLayers, text, seconds };
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return result;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const checks = [];
  const check = (name, ok, detail) => {
    checks.push({ name, ok, detail });
    say(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
  };

  say(`preparing ${o.dataset}`);
  const prepared = await prepareDataset({ dataset: o.dataset });
  const data = { dataset: prepared.dataset, loo: leaveOneOut(prepared.dataset) };
  const config = cg.validateConfig({
    ...cg.PAPER_CONFIG,
    dropout: 0,
    seed: o.seed,
    threads: 2,
    epochs: 1,
    evalEvery: 1,
  });

  say(`training ${o.steps} SASRec steps on cpu and ${o.provider}`);
  const ref = await trainSteps('cpu', data, config, o.steps);
  const dev = await trainSteps(o.provider, data, config, o.steps);
  const lossRel = Math.max(
    ...ref.losses.map((l, i) => Math.abs(l - dev.losses[i]) / Math.max(Math.abs(l), 1e-12)),
  );
  let paramMax = 0;
  let paramScale = 0;
  for (const [name, a] of ref.parameters) {
    const b = dev.parameters.get(name);
    for (let i = 0; i < a.length; i++) {
      paramMax = Math.max(paramMax, Math.abs(a[i] - b[i]));
      paramScale = Math.max(paramScale, Math.abs(a[i]));
    }
  }
  check(
    'training losses agree',
    lossRel <= 1e-2,
    `max relative difference ${lossRel.toExponential(2)} over ${o.steps} steps (<= 1e-2; CUDA may use TF32)`,
  );
  check(
    'trained parameters agree',
    paramMax <= 1e-2 * paramScale,
    `max |diff| ${paramMax.toExponential(2)}, max |param| ${paramScale.toFixed(3)}`,
  );

  say('training a one-epoch SASRec on cpu for the serving comparison');
  const trained = await cg.trainSasrec({
    dataset: data.dataset,
    datasetHash: prepared.manifest.hash,
    loo: data.loo,
    config: { ...config, epochs: 1 },
    validProtocol: parseProtocol('sampled:100'),
    silent: true,
    log: () => {},
  });
  const dir = mkdtempSync(join(tmpdir(), 'gpu-check-sasrec-'));
  await cg.saveSasrec(dir, trained, {
    datasetName: prepared.manifest.name,
    manifestHash: prepared.manifest.hash,
    itemIds: data.dataset.itemIds,
    userIds: data.dataset.userIds,
    userHistories: sequencesBefore(data.loo, 'test'),
  });
  await trained.trainer.dispose();
  const numItems = data.dataset.itemIds.length;
  const histories = sequencesBefore(data.loo, 'test').slice(0, o.users);
  const candidates = histories.map((_, u) =>
    Int32Array.from({ length: 101 }, (_, j) => (u * 7919 + j * 104729) % numItems),
  );
  say(`scoring ${histories.length} users x 101 candidates on cpu and ${o.provider}`);
  const sRef = await scoreAll('cpu', dir, histories, candidates, o.repeats);
  const sDev = await scoreAll(o.provider, dir, histories, candidates, o.repeats);
  let scoreMax = 0;
  let scoreScale = 0;
  let top1 = 0;
  const argmax = (s) => s.reduce((best, v, i) => (v > s[best] ? i : best), 0);
  sRef.scores.forEach((a, u) => {
    const b = sDev.scores[u];
    for (let i = 0; i < a.length; i++) {
      scoreMax = Math.max(scoreMax, Math.abs(a[i] - b[i]));
      scoreScale = Math.max(scoreScale, Math.abs(a[i]));
    }
    if (argmax(a) === argmax(b)) top1++;
  });
  const agreement = top1 / sRef.scores.length;
  check(
    'candidate scores agree',
    scoreMax <= 1e-2 * Math.max(scoreScale, 1),
    `max |diff| ${scoreMax.toExponential(2)}, max |score| ${scoreScale.toFixed(3)}`,
  );
  check(
    'top-1 candidate agrees',
    agreement >= 0.99,
    `${(agreement * 100).toFixed(1)}% of users (>= 99%)`,
  );

  let llama = null;
  if (o.gguf) {
    say(`node-llama-cpp: loading ${o.gguf} with gpu=${o.llamaGpu}`);
    const cpu = await llamaRun(o.gguf, 'false');
    const dev2 = o.llamaGpu === 'false' ? cpu : await llamaRun(o.gguf, o.llamaGpu);
    llama = { cpu, device: dev2 };
    const wanted = o.llamaGpu === 'false' ? 'cpu' : o.llamaGpu;
    check(
      'llama.cpp backend',
      dev2.backend === wanted && (wanted === 'cpu' || dev2.gpuLayers > 0),
      `backend ${dev2.backend}, ${dev2.gpuLayers} GPU layers`,
    );
    check(
      'llama.cpp generates',
      dev2.text.trim().length > 0,
      JSON.stringify(dev2.text.slice(0, 60)),
    );
  }

  const result = {
    command: `node ${process.argv.slice(1).join(' ')}`,
    when: new Date().toISOString(),
    provider: o.provider,
    reference: 'cpu',
    onnxruntimeNode: process.env.THOUGHTSPACE_ORT_DIR || 'repository node_modules (CPU build)',
    dataset: { name: prepared.manifest.name, manifestHash: prepared.manifest.hash },
    seed: o.seed,
    config: { ...config },
    training: {
      steps: o.steps,
      msPerStep: { reference: ref.msPerStep, device: dev.msPerStep },
      speedRatio: ref.msPerStep / dev.msPerStep,
      lossesCpu: ref.losses,
      losses: dev.losses,
      maxLossRelativeDiff: lossRel,
      maxParameterAbsDiff: paramMax,
    },
    serving: {
      users: histories.length,
      candidates: 101,
      msPerPass: { reference: sRef.msPerPass, device: sDev.msPerPass },
      speedRatio: sRef.msPerPass / sDev.msPerPass,
      maxScoreAbsDiff: scoreMax,
      top1Agreement: agreement,
    },
    llama,
    checks,
    pass: checks.every((c) => c.ok),
  };
  mkdirSync(dirname(resolve(o.out)), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
  say(
    `training: ${ref.msPerStep.toFixed(1)} ms/step cpu, ${dev.msPerStep.toFixed(1)} ms/step ${o.provider}: speed ratio ${result.training.speedRatio.toFixed(2)}x`,
  );
  say(
    `serving:  ${sRef.msPerPass.toFixed(1)} ms/pass cpu, ${sDev.msPerPass.toFixed(1)} ms/pass ${o.provider}: speed ratio ${result.serving.speedRatio.toFixed(2)}x`,
  );
  say(`wrote ${o.out}; ${result.pass ? 'all checks passed' : 'SOME CHECKS FAILED'}`);
  process.exitCode = result.pass ? 0 : 1;
}

main().catch((err) => {
  say(`error: ${err instanceof Error ? err.stack || err.message : String(err)}`);
  process.exit(2);
});
