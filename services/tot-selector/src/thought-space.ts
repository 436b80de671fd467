import { createEncoderDomain, ThoughtSpaceModel } from '@thoughtspace/encoder';
import type { HistoryRef, ReasonEmbedding, ThoughtSpaceAgreement } from './domain/selector';

/**
 * The Thought-Space agreement in this process: the encoder's own domain over
 * its model folder (the same code the encoder service answers Agreement
 * with), so a Select makes no encoder call. Its model runs are spans under
 * the Select that ran them.
 */
export async function loadAgreement(o: {
  dir: string;
  /** onnxruntime threads and execution provider, as every model service takes them. */
  runner?: Parameters<typeof ThoughtSpaceModel.load>[1];
}): Promise<{
  agreement: ThoughtSpaceAgreement;
  /** Starts the history's E2 ahead of the agreement that will need it (see createSelectorDomain). */
  prefetchAgreement: (history: HistoryRef) => void;
  /** E1 of a reason (remembered from the agreement that scored it), named by its model. */
  reasonEmbedding: ReasonEmbedding;
  modelName: string;
  close(): Promise<void>;
}> {
  const model = await ThoughtSpaceModel.load(o.dir, o.runner);
  const domain = createEncoderDomain({ model });
  const behaviour = (history: HistoryRef) => ({
    history: history.interactions.map((i) => i.itemId),
  });
  return {
    agreement: async (req) =>
      Float64Array.from(
        await domain.agreement({ rationales: req.rationales, behaviour: behaviour(req.history) }),
      ),
    prefetchAgreement: (history) => domain.prefetchBehaviour(behaviour(history)),
    reasonEmbedding: async (text) => ({
      model: domain.rationaleModel,
      values: await domain.rationaleVector(text),
    }),
    modelName: domain.modelName,
    close: () => model.dispose(),
  };
}
