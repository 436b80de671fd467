import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportInference, writeSafetensors } from '@thoughtspace/engine';
import { buildReaEmbInference } from './graph';
import type { ReaEmbResult } from './train';

/**
 * Write the ReaEmb generator next to a model: `reaemb.onnx` (tokens [batch, T]
 * -> embedding [batch, d], the CRRL parameters when CRRL ran, else LRCL's),
 * `reaemb-embeddings.safetensors` (item embeddings after LRCL and after CRRL),
 * `reaemb.json` (config, vocabulary, losses, rewards, timings).
 */
export async function saveReaEmb(
  dir: string,
  result: ReaEmbResult,
  meta: { manifestHash: string },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const c = result.config;
  const final = result.crrl ?? result.lrcl;
  const model = buildReaEmbInference(c, result.vocabulary.length);
  await writeFile(
    join(dir, 'reaemb.onnx'),
    exportInference({
      outputs: { embedding: model.embedding },
      parameters: final.parameters,
      graphName: 'reaemb',
    }),
  );
  const n = result.lrcl.embeddings.length / c.hidden;
  await writeSafetensors(join(dir, 'reaemb-embeddings.safetensors'), {
    tensors: [
      { name: 'lrcl', dtype: 'float32', shape: [n, c.hidden], data: result.lrcl.embeddings },
      ...(result.crrl
        ? [
            {
              name: 'crrl',
              dtype: 'float32' as const,
              shape: [n, c.hidden],
              data: result.crrl.embeddings,
            },
          ]
        : []),
    ],
    metadata: { dataset: meta.manifestHash },
  });
  await writeFile(
    join(dir, 'reaemb.json'),
    `${JSON.stringify({
      config: c,
      dataset: meta.manifestHash,
      vocabulary: result.vocabulary,
      lrcl: {
        losses: result.lrcl.losses,
        seconds: result.lrcl.seconds,
        temperature: result.lrcl.temperature,
      },
      crrl: result.crrl
        ? {
            losses: result.crrl.losses,
            meanReward: result.crrl.meanReward,
            seconds: result.crrl.seconds,
            anchors: result.crrl.anchors,
          }
        : null,
    })}\n`,
  );
}
