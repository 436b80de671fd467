// `thoughtspace train coderrec|reaemb`: flags -> options -> candidate-gen.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import {
  averagedWordVectors,
  disposeCoderRec,
  gloveCandidates,
  itemEmbeddingInit,
  readGlove,
  saveCoderRec,
  saveReaEmb,
  saveSasrec,
  trainCoderRec,
  trainReaEmb,
  trainSasrec,
  validateCoderRecConfig,
  validateConfig,
  validateReaEmbConfig,
  vectorsFromEmbeddings,
  type ItemVectors,
} from '@thoughtspace/candidate-gen';
import { leaveOneOut, parseProtocol, sequencesBefore, shortHash } from '@thoughtspace/data';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { loadDataset } from '../load';
import { say } from '../output';

interface ReaEmbFlags extends DatasetFlags {
  out: string;
  hidden?: number;
  maxTokens?: number;
  lrclEpochs?: number;
  crrlEpochs?: number;
  crrlAnchors?: number;
  init: 'lrcl' | 'crrl';
  sasrecHidden: number;
  sasrecEpochs: number;
  maxLen: number;
  freezeItems?: boolean;
  seed?: number;
}

interface CoderRecFlags extends DatasetFlags {
  out: string;
  itemVectors: 'glove' | 'reaemb';
  glove?: string;
  hidden?: number;
  maxLen?: number;
  phase1Epochs?: number;
  phase2Epochs?: number;
  reasoningSteps?: number;
  levels?: number;
  codes?: number;
  rqvaeEpochs?: number;
  seed?: number;
}

export function registerSiblingTrain(train: Command): void {
  const reaemb = train
    .command('reaemb')
    .description(
      'train ReaEmb (LRCL then CRRL) on item text, then SASRec initialised from its PCA-reduced embeddings; writes a candidate-gen model directory (variant sasrec+reaemb-<stage>) and the generator under reaemb/',
    )
    .requiredOption('--dataset <name|dir>', 'a preset name or a folder')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--hidden <n>', 'ReaEmb hidden size (default 64)', intArg('--hidden', 1))
    .option('--max-tokens <n>', 'attribute tokens per item (default 32)', intArg('--max-tokens', 1))
    .option('--lrcl-epochs <n>', 'LRCL epochs (default 3)', intArg('--lrcl-epochs'))
    .option('--crrl-epochs <n>', 'CRRL epochs (default 1)', intArg('--crrl-epochs'))
    .option(
      '--crrl-anchors <n>',
      'CRRL anchors per epoch, 0 = all (default 0)',
      intArg('--crrl-anchors'),
    )
    .addOption(
      new Option('--init <stage>', 'which embeddings initialise SASRec')
        .choices(['lrcl', 'crrl'])
        .default('crrl'),
    )
    .option(
      '--sasrec-hidden <n>',
      'SASRec hidden size (PCA target)',
      intArg('--sasrec-hidden', 1),
      50,
    )
    .option('--sasrec-epochs <n>', 'SASRec epochs', intArg('--sasrec-epochs', 1), 200)
    .option('--max-len <n>', 'SASRec maximum sequence length', intArg('--max-len', 1), 50)
    .option('--freeze-items', 'keep the ReaEmb item table fixed in SASRec (default: fine-tuned)')
    .option('--seed <n>', 'seed', intArg('--seed'));
  for (const o of datasetOptions()) reaemb.addOption(o);
  reaemb.action(async (flags: ReaEmbFlags) => {
    const config = validateReaEmbConfig({
      hidden: flags.hidden,
      maxTokens: flags.maxTokens,
      lrclEpochs: flags.lrclEpochs,
      crrlEpochs: flags.init === 'crrl' ? (flags.crrlEpochs ?? 1) : 0,
      crrlAnchors: flags.crrlAnchors,
      seed: flags.seed,
    });
    const sasrecConfig = validateConfig({
      hidden: flags.sasrecHidden,
      epochs: flags.sasrecEpochs,
      maxLen: flags.maxLen,
      seed: flags.seed,
    });
    const { dataset, manifest } = await loadDataset(flags);
    const loo = leaveOneOut(dataset);
    const result = await trainReaEmb({ dataset, loo, config });
    const stage = flags.init === 'crrl' && result.crrl ? result.crrl : result.lrcl;
    const table = itemEmbeddingInit({
      embeddings: stage.embeddings,
      numItems: dataset.itemIds.length,
      dim: config.hidden,
      hidden: sasrecConfig.hidden,
      seed: config.seed,
    });
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config: sasrecConfig,
      validProtocol: parseProtocol('sampled:100'),
      initialParameters: new Map([['item_embedding', table]]),
      freezeItemEmbedding: flags.freezeItems === true,
    });
    await saveSasrec(flags.out, trained, {
      datasetName: manifest.name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: sequencesBefore(loo, 'test'),
      variant: `sasrec+reaemb-${flags.init}`,
      variantConfig: { reaemb: config, itemEmbedding: flags.freezeItems ? 'frozen' : 'fine-tuned' },
    });
    await saveReaEmb(join(flags.out, 'reaemb'), result, { manifestHash: manifest.hash });
    await trained.trainer.dispose();
    say(
      `trained ReaEmb on ${manifest.name} (manifest ${shortHash(manifest.hash)}): LRCL ${result.lrcl.seconds.toFixed(1)} s` +
        `${result.crrl ? `, CRRL ${result.crrl.seconds.toFixed(1)} s (clean-thought reward ${result.crrl.meanReward.at(-1)?.toFixed(4)})` : ''}; ` +
        `SASRec from ${flags.init} embeddings: best epoch ${trained.bestEpoch}, ${trained.secondsPerEpoch.toFixed(2)} s/epoch`,
    );
    say(
      `wrote ${flags.out} (variant sasrec+reaemb-${flags.init}) and ${join(flags.out, 'reaemb')}`,
    );
  });

  const coderrec = train
    .command('coderrec')
    .description(
      'train CoderRec: RQ-VAE semantic IDs from item text vectors, then phase 1 (rec + ID + alignment) and phase 2 (latent reasoning); writes phase1/ and phase2/ candidate-gen model directories',
    )
    .requiredOption('--dataset <name|dir>', 'a preset name or a folder')
    .requiredOption('--out <dir>', 'output folder (phase1/, phase2/)')
    .addOption(
      new Option('--item-vectors <kind>', 'averaged GloVe vectors or ReaEmb (LRCL) embeddings')
        .choices(['glove', 'reaemb'])
        .default('glove'),
    )
    .option('--glove <path>', 'GloVe .txt or .zip (default: ../shared/models/glove-6B-50d-10k)')
    .option('--hidden <n>', 'hidden size (default 64)', intArg('--hidden', 1))
    .option('--max-len <n>', 'last n items (default 20)', intArg('--max-len', 1))
    .option('--phase1-epochs <n>', 'phase 1 epochs (default 20)', intArg('--phase1-epochs'))
    .option('--phase2-epochs <n>', 'phase 2 epochs (default 10)', intArg('--phase2-epochs'))
    .option(
      '--reasoning-steps <n>',
      'latent reasoning passes in phase 2 (default 2)',
      intArg('--reasoning-steps'),
    )
    .option('--levels <n>', 'RQ-VAE levels (default 3, the paper)', intArg('--levels', 1))
    .option('--codes <n>', 'codes per level (default 256, the paper)', intArg('--codes', 1))
    .option('--rqvae-epochs <n>', 'RQ-VAE epochs (default 30)', intArg('--rqvae-epochs', 1))
    .option('--seed <n>', 'seed', intArg('--seed'));
  for (const o of datasetOptions()) coderrec.addOption(o);
  coderrec.action(async (flags: CoderRecFlags) => {
    const config = validateCoderRecConfig({
      hidden: flags.hidden,
      maxLen: flags.maxLen,
      phase1Epochs: flags.phase1Epochs,
      phase2Epochs: flags.phase2Epochs,
      reasoningSteps: flags.reasoningSteps,
      seed: flags.seed,
      rqvae: {
        levels: flags.levels,
        codes: flags.codes,
        epochs: flags.rqvaeEpochs,
        seed: flags.seed,
      },
    });
    const { dataset, manifest } = await loadDataset(flags);
    const loo = leaveOneOut(dataset);
    let vectors: ItemVectors;
    if (flags.itemVectors === 'reaemb') {
      const r = await trainReaEmb({
        dataset,
        loo,
        config: validateReaEmbConfig({ crrlEpochs: 0, seed: flags.seed }),
      });
      vectors = vectorsFromEmbeddings(r.lrcl.embeddings, r.config.hidden, 'reaemb-lrcl');
    } else {
      const path = flags.glove ?? gloveCandidates().find((p) => existsSync(p));
      if (!path)
        throw new Error(
          `--glove: no GloVe file given and none found at ${gloveCandidates().join(', ')}`,
        );
      vectors = averagedWordVectors(dataset.items, await readGlove(path));
    }
    const trained = await trainCoderRec({ dataset, loo, config, vectors });
    const meta = {
      datasetName: manifest.name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: sequencesBefore(loo, 'test'),
    };
    await saveCoderRec(join(flags.out, 'phase1'), trained, { ...meta, phase: 'phase1' });
    if (trained.phase2)
      await saveCoderRec(join(flags.out, 'phase2'), trained, { ...meta, phase: 'phase2' });
    await disposeCoderRec(trained);
    const rq = trained.rqvae;
    say(
      `trained CoderRec on ${manifest.name} (manifest ${shortHash(manifest.hash)}) from ${vectors.source} vectors: ` +
        `RQ-VAE usage ${rq.usage.map((u) => u.toFixed(2)).join('/')}, ${rq.collisions} colliding items (collision level ${rq.collisionCodes}), ` +
        `phase 1 ${trained.phase1.seconds.toFixed(1)} s${trained.phase2 ? `, phase 2 ${trained.phase2.seconds.toFixed(1)} s` : ''}`,
    );
    say(
      `wrote ${join(flags.out, 'phase1')}${trained.phase2 ? ` and ${join(flags.out, 'phase2')}` : ''} (serve either with candidate-gen MODEL_DIR)`,
    );
  });
}
