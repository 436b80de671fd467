// Finite-difference gradient checks: analytic gradients from the emitted
// backward graph against central differences of the loss, both run by
// onnxruntime in float64.
import { gradients } from './autodiff';
import { Graph, Tensor } from './graph';
import { emitModel } from './model';
import { Rng } from '../init';
import { ModelRunner, TensorValue } from '../runner';

export interface GradCheckResult {
  /** Worst |analytic - numeric| / max(1, |numeric|) over checked coordinates. */
  maxError: number;
  worst: string;
  checked: number;
}

/**
 * Builds loss = sum(f(inputs) * R) for a fixed random R so every output
 * coordinate matters, then compares gradients for each float input.
 */
export async function checkGradients(
  build: (g: Graph) => { output: Tensor; inputs: Tensor[]; feeds: Record<string, TensorValue> },
  options: { seed?: number; step?: number; maxCoords?: number } = {},
): Promise<GradCheckResult> {
  const g = new Graph({ dtype: 'float64' });
  const { output, inputs, feeds } = build(g);
  const rng = new Rng(options.seed ?? 7);
  let loss = output;
  if (output.rank > 0) {
    const size = output.shape.reduce<number>((a, b) => a * (b as number), 1);
    const r = g.constant(
      Array.from({ length: size }, () => rng.normal()),
      output.shape as number[],
    );
    loss = g.apply('ReduceSum', [g.apply('Mul', [output, r])], {
      axes: output.shape.map((_, i) => i),
      keepdims: false,
    });
  }
  const grads = gradients(loss, inputs);
  const outputs: Record<string, Tensor> = { loss };
  grads.forEach((gr, i) => {
    if (gr) outputs[`grad_${i}`] = gr;
  });
  const model = emitModel({ outputs, mode: 'train' });
  const lossModel = emitModel({ outputs: { loss }, mode: 'train' });
  const runner = await ModelRunner.create({ model: model.bytes, threads: 1 });
  const lossRunner = await ModelRunner.create({ model: lossModel.bytes, threads: 1 });
  const h = options.step ?? 1e-6;
  let maxError = 0;
  let worst = '';
  let checked = 0;
  try {
    const analytic = await runner.run(feeds);
    for (let i = 0; i < inputs.length; i++) {
      const name = inputs[i].name;
      const data = feeds[name].data as Float64Array;
      const ga = analytic[`grad_${i}`]?.data as Float64Array | undefined;
      const coords = [...Array(data.length).keys()];
      const limit = options.maxCoords ?? 24;
      const pick =
        coords.length <= limit
          ? coords
          : coords.filter((_, k) => k % Math.ceil(coords.length / limit) === 0);
      for (const c of pick) {
        const orig = data[c];
        data[c] = orig + h;
        const up = (await lossRunner.run(feeds)).loss.data[0] as number;
        data[c] = orig - h;
        const down = (await lossRunner.run(feeds)).loss.data[0] as number;
        data[c] = orig;
        const numeric = (up - down) / (2 * h);
        const a = ga ? ga[c] : 0;
        const err = Math.abs(a - numeric) / Math.max(1, Math.abs(numeric));
        checked++;
        if (err > maxError || Number.isNaN(err)) {
          maxError = Number.isNaN(err) ? Infinity : err;
          worst = `${name}[${c}]: analytic ${a} vs numeric ${numeric}`;
        }
      }
    }
  } finally {
    await runner.dispose();
    await lossRunner.dispose();
  }
  return { maxError, worst, checked };
}
