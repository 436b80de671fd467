// Inference export: the forward graph with current weights as initializers.
// Symbolic dims of inputs (e.g. "batch") become dynamic axes (dim_param).
import { FailedPreconditionError } from '@thoughtspace/runtime';
import { Tensor } from './internal/graph';
import { emitModel } from './internal/model';
import { TypedData } from './internal/dtype';
import { ExecutionProvider, Feeds, ModelRunner, TensorValue } from './runner';

export interface ExportOptions {
  /** Outputs of the served model by name. */
  outputs: Readonly<Record<string, Tensor>>;
  /** Parameter values (e.g. `trainer.parameters`). */
  parameters: ReadonlyMap<string, TypedData>;
  graphName?: string;
}

/** Serialised ONNX model: inputs are the graph's data inputs only, weights are initializers, dropout is off. */
export function exportInference(options: ExportOptions): Uint8Array {
  const model = emitModel({
    outputs: options.outputs,
    mode: 'infer',
    initializers: options.parameters,
    graphName: options.graphName ?? 'inference',
  });
  const missing = model.inputs.find((i) => i.kind === 'Parameter');
  if (missing) throw new FailedPreconditionError(`export: no value for parameter ${missing.name}`);
  return model.bytes;
}

export interface VerifyExportOptions {
  model: Uint8Array;
  feeds: Feeds;
  /** Outputs of the training graph's forward pass for the same feeds (e.g. `trainer.evaluate`). */
  reference: Readonly<Record<string, TensorValue>>;
  /** Largest allowed |export - reference| (default 1e-5; float32 graphs fused differently may differ in the last bits). */
  tolerance?: number;
  executionProvider?: ExecutionProvider;
}

/** Run the exported model and compare every reference output; throws naming the worst output. Returns the max difference. */
export async function verifyExport(options: VerifyExportOptions): Promise<number> {
  const runner = await ModelRunner.create({
    model: options.model,
    executionProvider: options.executionProvider,
  });
  try {
    const out = await runner.run(options.feeds);
    const tol = options.tolerance ?? 1e-5;
    let worst = 0;
    for (const name of Object.keys(options.reference)) {
      const ref = options.reference[name];
      const got = out[name];
      if (!got || got.dims.join(',') !== ref.dims.join(',')) {
        throw new FailedPreconditionError(
          `export check: output ${name} is [${got?.dims.join(',')}], expected [${ref.dims.join(',')}]`,
        );
      }
      for (let i = 0; i < ref.data.length; i++) {
        const d = Math.abs(Number(got.data[i]) - Number(ref.data[i]));
        if (!(d <= tol))
          throw new FailedPreconditionError(
            `export check: output ${name}[${i}] differs by ${d} (> ${tol})`,
          );
        worst = Math.max(worst, d);
      }
    }
    return worst;
  } finally {
    await runner.dispose();
  }
}
