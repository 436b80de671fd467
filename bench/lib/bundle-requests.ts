/** What the serving benches send: a main run's bundle, its dataset's test users' histories, ScoreCandidates of them. */
import { leaveOneOut, prepareDataset, sequencesBefore, type Dataset } from '@thoughtspace/data';
import { readServingBundle } from '@thoughtspace/pipeline';
import { ScoreCandidatesRequest } from '@thoughtspace/proto';

/** The bundle of `runDir`, its dataset (checked against the bundle's hash), the test users' histories as item ids. */
export async function loadBundleHistories(runDir: string): Promise<{
  bundle: Awaited<ReturnType<typeof readServingBundle>>;
  dataset: Dataset;
  histories: string[][];
}> {
  const bundle = await readServingBundle(runDir);
  const { dataset, manifest } = await prepareDataset({ dataset: bundle.manifest.dataset.name });
  if (manifest.hash !== bundle.manifest.dataset.manifestHash)
    throw new Error(`${bundle.manifest.dataset.name} does not match the bundle's dataset hash`);
  const histories = sequencesBefore(leaveOneOut(dataset), 'test')
    .filter((h) => h.length > 0)
    .map((h) => Array.from(h, (i) => dataset.itemIds[i]));
  return { bundle, dataset, histories };
}

/** Request i: the i-th history in turn and 10 candidates spread over the catalogue. */
export function scoreCandidatesRequest(
  histories: readonly string[][],
  itemIds: readonly string[],
  i: number,
): ScoreCandidatesRequest {
  return ScoreCandidatesRequest.fromPartial({
    history: { interactions: histories[i % histories.length].map((itemId) => ({ itemId })) },
    candidateItemIds: Array.from(
      { length: 10 },
      (_, k) => itemIds[(i * 31 + k * 97) % itemIds.length],
    ),
  });
}
