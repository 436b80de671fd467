import { Option, type Command } from 'commander';
import {
  PAPER_CONFIG,
  saveSasrec,
  trainSasrec,
  validateConfig,
  type SasrecConfig,
} from '@thoughtspace/candidate-gen';
import { leaveOneOut, parseProtocol, sequencesBefore, shortHash } from '@thoughtspace/data';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { loadDataset } from '../load';
import { say, writeJson } from '../output';
import { registerGru4recTrain } from './train-gru4rec';
import { registerSiblingTrain } from './train-siblings';

function floatArg(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Error(`${flag} must be a number`);
    return n;
  };
}

interface TrainFlags extends DatasetFlags, Partial<SasrecConfig> {
  out: string;
  validProtocol: string;
}

export function registerTrain(program: Command): void {
  const train = program.command('train').description('train models');
  registerSiblingTrain(train);
  registerGru4recTrain(train);
  const cmd = train
    .command('sasrec')
    .description(
      "train SASRec on the training prefixes with periodic validation, early stopping and checkpoints (defaults: the paper's settings)",
    )
    .requiredOption('--dataset <name|dir>', 'a preset name or a folder')
    .requiredOption('--out <dir>', 'model directory to write')
    .option(
      '--max-len <n>',
      `maximum sequence length (default ${PAPER_CONFIG.maxLen})`,
      intArg('--max-len', 1),
    )
    .option('--hidden <n>', `hidden size (default ${PAPER_CONFIG.hidden})`, intArg('--hidden', 1))
    .option(
      '--blocks <n>',
      `self-attention blocks (default ${PAPER_CONFIG.blocks})`,
      intArg('--blocks', 1),
    )
    .option('--heads <n>', `attention heads (default ${PAPER_CONFIG.heads})`, intArg('--heads', 1))
    .option(
      '--dropout <p>',
      `dropout rate (default ${PAPER_CONFIG.dropout})`,
      floatArg('--dropout'),
    )
    .addOption(
      new Option(
        '--attention-dropout <where>',
        'dropout on attention weights (reference) or on the attention output',
      ).choices(['weights', 'output']),
    )
    .option('--lr <x>', `learning rate (default ${PAPER_CONFIG.lr})`, floatArg('--lr'))
    .option('--batch <n>', `batch size (default ${PAPER_CONFIG.batch})`, intArg('--batch', 1))
    .option(
      '--epochs <n>',
      `maximum epochs (default ${PAPER_CONFIG.epochs})`,
      intArg('--epochs', 1),
    )
    .option('--beta2 <x>', `Adam beta2 (default ${PAPER_CONFIG.beta2})`, floatArg('--beta2'))
    .option('--weight-decay <x>', 'decoupled weight decay (default 0)', floatArg('--weight-decay'))
    .addOption(
      new Option(
        '--loss <kind>',
        'bce (paper: one negative per position) or sampled softmax',
      ).choices(['bce', 'softmax']),
    )
    .option(
      '--negatives <n>',
      `shared negatives for the softmax loss (default ${PAPER_CONFIG.negatives})`,
      intArg('--negatives', 1),
    )
    .option(
      '--eval-every <n>',
      `validate every n epochs (default ${PAPER_CONFIG.evalEvery})`,
      intArg('--eval-every', 1),
    )
    .option(
      '--patience <n>',
      `stop after n validations without improvement, 0 = never (default ${PAPER_CONFIG.patience})`,
      intArg('--patience'),
    )
    .option('--valid-protocol <p>', 'protocol of the periodic validation', 'sampled:100')
    .option(
      '--seed <n>',
      'seed for initialisation, batches, dropout and sampling',
      intArg('--seed'),
    )
    .option('--threads <n>', 'onnxruntime intra-op threads (default 2)', intArg('--threads', 1));
  for (const o of datasetOptions()) cmd.addOption(o);
  cmd.action(async (flags: TrainFlags) => {
    const config = validateConfig({
      maxLen: flags.maxLen,
      hidden: flags.hidden,
      blocks: flags.blocks,
      heads: flags.heads,
      dropout: flags.dropout,
      attentionDropout: flags.attentionDropout,
      lr: flags.lr,
      batch: flags.batch,
      epochs: flags.epochs,
      beta2: flags.beta2,
      weightDecay: flags.weightDecay,
      loss: flags.loss,
      negatives: flags.negatives,
      evalEvery: flags.evalEvery,
      patience: flags.patience,
      seed: flags.seed,
      threads: flags.threads,
    });
    const validProtocol = parseProtocol(flags.validProtocol);
    const { dataset, manifest } = await loadDataset(flags);
    const loo = leaveOneOut(dataset);
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config,
      validProtocol,
    });
    const saved = await saveSasrec(flags.out, trained, {
      datasetName: manifest.name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: sequencesBefore(loo, 'test'),
    });
    await writeJson(`${flags.out}/training.json`, {
      ...saved.training,
      curve: trained.curve,
      config,
      dataset: saved.dataset,
    });
    await trained.trainer.dispose();
    say(
      `trained SASRec on ${manifest.name} (manifest ${shortHash(manifest.hash)}): ${trained.epochsRun} epochs, best epoch ${trained.bestEpoch}, ` +
        `${trained.secondsPerEpoch.toFixed(2)} s/epoch, ${Math.round(trained.sequencesPerSecond).toLocaleString('en-US')} sequences/s`,
    );
    say(`wrote ${flags.out} (model.onnx, checkpoint.safetensors, model.json, learning-curve.svg)`);
  });
}
