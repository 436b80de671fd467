// `thoughtspace train gru4rec`: flags -> options -> candidate-gen.
import { Option, type Command } from 'commander';
import {
  DEFAULT_GRU4REC,
  itemEmbeddingInit,
  saveGru4rec,
  trainGru4rec,
  trainReaEmb,
  validateGru4recConfig,
  validateReaEmbConfig,
} from '@thoughtspace/candidate-gen';
import { leaveOneOut, parseProtocol, sequencesBefore, shortHash } from '@thoughtspace/data';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { loadDataset } from '../load';
import { say, writeJson } from '../output';

interface Gru4recFlags extends DatasetFlags {
  out: string;
  maxLen?: number;
  hidden?: number;
  gruHidden?: number;
  dropout?: number;
  lr?: number;
  batch?: number;
  epochs?: number;
  evalEvery?: number;
  patience?: number;
  seed?: number;
  validProtocol: string;
  reaembInit?: 'lrcl' | 'crrl';
  freezeItems?: boolean;
}

function floatArg(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n))
      throw new InvalidArgumentError(`${flag} must be a number, got "${value}"`);
    return n;
  };
}

export function registerGru4recTrain(train: Command): void {
  const d = DEFAULT_GRU4REC;
  const cmd = train
    .command('gru4rec')
    .description(
      "train GRU4Rec (embedding -> one GRU layer -> the catalogue; SASRec's batches, loss and early stopping), optionally from ReaEmb item embeddings; writes a candidate-gen model directory (variant gru4rec or gru4rec+reaemb-<stage>)",
    )
    .requiredOption('--dataset <name|dir>', 'a preset name or a folder')
    .requiredOption('--out <dir>', 'model directory to write')
    .option(
      '--max-len <n>',
      `maximum sequence length (default ${d.maxLen})`,
      intArg('--max-len', 1),
    )
    .option('--hidden <n>', `item embedding size (default ${d.hidden})`, intArg('--hidden', 1))
    .option(
      '--gru-hidden <n>',
      `GRU hidden size (default ${d.gruHidden})`,
      intArg('--gru-hidden', 1),
    )
    .option('--dropout <x>', `dropout (default ${d.dropout})`, floatArg('--dropout'))
    .option('--lr <x>', `learning rate (default ${d.lr})`, floatArg('--lr'))
    .option('--batch <n>', `batch size (default ${d.batch})`, intArg('--batch', 1))
    .option('--epochs <n>', `maximum epochs (default ${d.epochs})`, intArg('--epochs', 1))
    .option(
      '--eval-every <n>',
      `validate every n epochs (default ${d.evalEvery})`,
      intArg('--eval-every', 1),
    )
    .option(
      '--patience <n>',
      `early stopping patience in evaluations, 0 = off (default ${d.patience})`,
      intArg('--patience'),
    )
    .option('--valid-protocol <p>', 'protocol of the periodic validation', 'sampled:100')
    .addOption(
      new Option(
        '--reaemb-init <stage>',
        'train ReaEmb first and start the item table from its embeddings after this stage',
      ).choices(['lrcl', 'crrl']),
    )
    .option('--freeze-items', 'with --reaemb-init: keep the item table fixed (default: fine-tuned)')
    .option('--seed <n>', 'seed', intArg('--seed'));
  for (const o of datasetOptions()) cmd.addOption(o);
  cmd.action(async (flags: Gru4recFlags) => {
    const config = validateGru4recConfig({
      maxLen: flags.maxLen,
      hidden: flags.hidden,
      gruHidden: flags.gruHidden,
      dropout: flags.dropout,
      lr: flags.lr,
      batch: flags.batch,
      epochs: flags.epochs,
      evalEvery: flags.evalEvery,
      patience: flags.patience,
      seed: flags.seed,
    });
    if (flags.freezeItems && !flags.reaembInit)
      throw new InvalidArgumentError('--freeze-items needs --reaemb-init lrcl|crrl');
    const validProtocol = parseProtocol(flags.validProtocol);
    const { dataset, manifest } = await loadDataset(flags);
    const loo = leaveOneOut(dataset);
    let initialParameters: Map<string, Float32Array> | undefined;
    let reaemb: Record<string, unknown> | undefined;
    if (flags.reaembInit) {
      const reaConfig = validateReaEmbConfig({
        crrlEpochs: flags.reaembInit === 'crrl' ? 1 : 0,
        seed: flags.seed,
      });
      if (reaConfig.hidden < config.hidden)
        throw new InvalidArgumentError(
          `--hidden (${config.hidden}) exceeds ReaEmb's embedding size (${reaConfig.hidden})`,
        );
      const result = await trainReaEmb({ dataset, loo, config: reaConfig });
      const stage = flags.reaembInit === 'crrl' && result.crrl ? result.crrl : result.lrcl;
      initialParameters = new Map([
        [
          'item_embedding',
          itemEmbeddingInit({
            embeddings: stage.embeddings,
            numItems: dataset.itemIds.length,
            dim: reaConfig.hidden,
            hidden: config.hidden,
            seed: config.seed,
          }),
        ],
      ]);
      reaemb = { reaemb: reaConfig, itemEmbedding: flags.freezeItems ? 'frozen' : 'fine-tuned' };
    }
    const trained = await trainGru4rec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config,
      validProtocol,
      initialParameters,
      freezeItemEmbedding: flags.freezeItems === true,
    });
    const variant = flags.reaembInit ? `gru4rec+reaemb-${flags.reaembInit}` : 'gru4rec';
    const saved = await saveGru4rec(flags.out, trained, {
      datasetName: manifest.name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: sequencesBefore(loo, 'test'),
      variant,
      variantConfig: reaemb,
    });
    await writeJson(`${flags.out}/training.json`, {
      ...saved.training,
      curve: trained.curve,
      config,
      dataset: saved.dataset,
    });
    await trained.trainer.dispose();
    say(
      `trained ${variant} on ${manifest.name} (manifest ${shortHash(manifest.hash)}): ${trained.epochsRun} epochs, best epoch ${trained.bestEpoch}, ${trained.secondsPerEpoch.toFixed(2)} s/epoch`,
    );
    say(`wrote ${flags.out} (model.onnx, user-encoder.onnx, checkpoint.safetensors, model.json)`);
  });
}
