import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { leaveOneOut, prepareDataset } from '@thoughtspace/data';
import type { Interval } from '@thoughtspace/metrics';
import { lineChart } from '@thoughtspace/report';
import { saveThoughtSpace, type EncoderManifest } from '../thought-space/artifact';
import type { ThoughtSpaceConfig } from '../thought-space/config';
import { runPhaseOne } from '../thought-space/phase-one';
import { projectionSvg } from '../thought-space/projection';
import { buildPairs, type PairOptions } from './pairs';

export interface EncoderExperimentOptions {
  /** Preset name or folder (default luxury-beauty-2018). */
  dataset?: string;
  seed?: number;
  outDir: string;
  /** Config overrides; the seed above wins over config.seed. */
  config?: Partial<ThoughtSpaceConfig>;
  /** Share of users held out for the intrinsic evaluation (default 0.2). */
  heldOutFraction?: number;
  /** Training pairs per user (held-out users always contribute their last pair only). */
  positions?: PairOptions['positions'];
  /** Held-out pairs drawn into the projection plot (default 60). */
  plotPairs?: number;
  silent?: boolean;
  log?: (line: string) => void;
}

export interface EncoderExperimentResult {
  dataset: { name: string; manifestHash: string };
  seed: number;
  provider: string;
  pairs: { train: number; heldOut: number; trainUsers: number; heldOutUsers: number };
  /** Recall@1 among 11 (own rationale + 10 other held-out users'), 95% bootstrap CI. */
  recallAt1: { chance: number; untrained: Interval; trained: Interval };
  training: EncoderManifest['training'];
  exportCheck: EncoderManifest['exportCheck'];
  config: ThoughtSpaceConfig;
  files: { model: string; plot: string; curve: string; results: string };
}

/**
 * The Thought Space experiment end to end: pairs from a dataset's training
 * prefixes (behaviour = history titles, rationale = next item's text — the
 * stand-in for rationale-gen's positive rationales), a split by user, recall@1
 * on held-out users before and after training, the PCA plot, the model
 * directory and results.json under outDir.
 */
export async function runEncoderExperiment(
  o: EncoderExperimentOptions,
): Promise<EncoderExperimentResult> {
  const seed = o.seed ?? 1;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const say = (line: string) => {
    if (!o.silent) log(line);
  };
  const { dataset, manifest, name } = await prepareDataset({
    dataset: o.dataset ?? 'luxury-beauty-2018',
  });
  const loo = leaveOneOut(dataset);
  const phase = await runPhaseOne({
    pairs: buildPairs(dataset, loo, { positions: 'last' }),
    heldOutFraction: o.heldOutFraction ?? 0.2,
    seed,
    config: o.config,
    trainPairs:
      o.positions === 'all'
        ? (held) => buildPairs(dataset, loo, { positions: 'all' }).filter((p) => !held.has(p.user))
        : undefined,
    plotPairs: o.plotPairs,
    silent: o.silent,
    log,
  });
  const { space, train, heldOut, sampleBefore: before, sampleAfter: after } = phase;
  const heldUsers = new Set(heldOut.map((p) => p.user));
  const untrained = phase.recallBefore;
  const trained = phase.recallAfter;
  say(
    `thought space on ${name} (manifest ${manifest.hash.slice(0, 12)}): ${train.length} training pairs, ${heldOut.length} held-out users`,
  );
  say(`untrained recall@1 ${fmt(untrained.recallAt1)} (chance ${untrained.chance.toFixed(4)})`);
  say(`trained recall@1 ${fmt(trained.recallAt1)}`);
  try {
    await mkdir(o.outDir, { recursive: true });
    const modelDir = join(o.outDir, 'model');
    const saved = await saveThoughtSpace(modelDir, space, {
      datasetName: name,
      manifestHash: manifest.hash,
      catalogue: dataset.items.map((it, i) => ({ id: dataset.itemIds[i], title: it.title ?? '' })),
    });
    const subtitle = `${name} (manifest ${manifest.hash.slice(0, 12)}), seed ${seed}, ${heldOut.length} held-out users`;
    const files = {
      model: modelDir,
      plot: join(o.outDir, 'projection.svg'),
      curve: join(o.outDir, 'learning-curve.svg'),
      results: join(o.outDir, 'results.json'),
    };
    await writeFile(
      files.plot,
      projectionSvg({
        title: 'Thought Space: held-out behaviours and rationales (PCA)',
        subtitle,
        panels: [
          { title: `untrained: recall@1 ${untrained.recallAt1.mean.toFixed(3)}`, sample: before },
          { title: `trained: recall@1 ${trained.recallAt1.mean.toFixed(3)}`, sample: after },
        ],
      }),
    );
    await writeFile(
      files.curve,
      lineChart({
        title: 'Thought Space training loss',
        subtitle,
        xLabel: 'epoch',
        yLabel: 'InfoNCE loss',
        series: [
          {
            name: 'train loss',
            points: space.summary.curve.map((p) => ({ x: p.epoch, y: p.loss })),
          },
          {
            name: `chance ln(${space.config.groupSize})`,
            points: space.summary.curve.map((p) => ({
              x: p.epoch,
              y: Math.log(space.config.groupSize),
            })),
          },
        ],
      }),
    );
    const result: EncoderExperimentResult = {
      dataset: { name, manifestHash: manifest.hash },
      seed,
      provider: 'none (item text stands in for positive rationales)',
      pairs: {
        train: train.length,
        heldOut: heldOut.length,
        trainUsers: new Set(train.map((p) => p.user)).size,
        heldOutUsers: heldUsers.size,
      },
      recallAt1: {
        chance: trained.chance,
        untrained: untrained.recallAt1,
        trained: trained.recallAt1,
      },
      training: saved.training,
      exportCheck: saved.exportCheck,
      config: space.config,
      files,
    };
    await writeFile(files.results, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await space.dispose();
  }
}

function fmt(i: Interval): string {
  return `${i.mean.toFixed(4)} [${i.low.toFixed(4)}, ${i.high.toFixed(4)}]`;
}
