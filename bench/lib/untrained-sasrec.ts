import { buildSasrec, type SasrecConfig } from '@thoughtspace/candidate-gen';
import { adam, Trainer } from '@thoughtspace/engine';

/** SASRec at its seeded initialisation (no training step): user states and an item table of the real shapes. */
export async function untrainedSasrec(config: SasrecConfig, numItems: number) {
  const model = buildSasrec(config, numItems);
  const trainer = await Trainer.create({
    graph: model.graph,
    loss: model.loss,
    optimizer: adam({ beta2: config.beta2 }),
    seed: config.seed,
    threads: config.threads,
  });
  return { trainer, model, config };
}
