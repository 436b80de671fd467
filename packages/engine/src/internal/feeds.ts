import { InvalidArgumentError } from '@thoughtspace/runtime';
import { GraphInput } from './model';
import { formatShape, resolveDim } from './shape';
import type { Feeds } from '../runner';

/**
 * Checks fed tensors against the graph's inputs (dtype, rank, fixed dims) and
 * returns the value of every symbolic dimension.
 */
export function bindInputs(inputs: readonly GraphInput[], feeds: Feeds): Map<string, number> {
  const bindings = new Map<string, number>();
  for (const input of inputs) {
    const v = feeds[input.name];
    if (!v)
      throw new InvalidArgumentError(
        `feed ${input.name}: missing (expected ${formatShape(input.shape)} ${input.dtype})`,
      );
    const bad = (): InvalidArgumentError =>
      new InvalidArgumentError(
        `feed ${input.name}: got [${v.dims.join(',')}] ${v.dtype}, expected ${formatShape(input.shape)} ${input.dtype}`,
      );
    if (v.dtype !== input.dtype || v.dims.length !== input.shape.length) throw bad();
    input.shape.forEach((d, i) => {
      if (typeof d === 'number') {
        if (d !== v.dims[i]) throw bad();
      } else if (!d.includes('*')) {
        const prev = bindings.get(d);
        if (prev !== undefined && prev !== v.dims[i]) throw bad();
        bindings.set(d, v.dims[i]);
      }
    });
  }
  for (const input of inputs) {
    input.shape.forEach((d, i) => {
      if (
        typeof d === 'string' &&
        resolveDim(d, bindings, input.name) !== feeds[input.name].dims[i]
      ) {
        throw new InvalidArgumentError(
          `feed ${input.name}: dimension ${i} should be ${d}, got ${feeds[input.name].dims[i]}`,
        );
      }
    });
  }
  return bindings;
}
