import { InvalidArgumentError } from '@thoughtspace/runtime';
import { isFloat } from './dtype';
import { opDef, Tensor } from './graph';
import { reachable } from './emitter';
import { formatShape } from './shape';
import { add } from './ops/elementwise';
import { mergeScatterAdds } from './ops/shape';

/**
 * Reverse-mode differentiation: emits the backward pass into the same graph
 * and returns d(loss)/d(t) for each tensor in `wrt` (null when the loss does
 * not depend on it). Nodes are visited in reverse id order and fan-out
 * contributions are summed in arrival order, so emission is deterministic.
 */
export function gradients(loss: Tensor, wrt: readonly Tensor[]): (Tensor | null)[] {
  if (loss.rank !== 0 || !isFloat(loss.dtype)) {
    throw new InvalidArgumentError(
      `gradients: loss must be a float scalar, got ${formatShape(loss.shape)} ${loss.dtype}`,
    );
  }
  const nodes = reachable([loss]);
  const targets = new Set(wrt.map((t) => t.id));
  const needs = new Set<number>();
  for (const t of nodes) {
    if (!isFloat(t.dtype)) continue;
    if (targets.has(t.id) || t.inputs.some((i) => needs.has(i.id))) needs.add(t.id);
  }
  const contributions = new Map<number, Tensor[]>();
  contributions.set(loss.id, [loss.graph.scalar(1, loss.dtype)]);
  const total = (t: Tensor): Tensor | null => {
    const parts = contributions.get(t.id);
    if (!parts) return null;
    const terms = parts.length > 1 ? mergeScatterAdds(parts) : parts;
    let g = terms[0];
    for (let i = 1; i < terms.length; i++) g = add(g, terms[i]);
    contributions.set(t.id, [g]);
    return g;
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const t = nodes[k];
    if (!needs.has(t.id) || t.inputs.length === 0) continue;
    const g = total(t);
    if (g === null) continue;
    const def = opDef(t.op);
    if (!def.grad)
      throw new InvalidArgumentError(`gradients: op ${t.op} (${t.name}) is not differentiable`);
    const grads = def.grad(t, g);
    t.inputs.forEach((input, i) => {
      const gi = grads[i];
      if (!gi || !needs.has(input.id)) return;
      const list = contributions.get(input.id);
      if (list) list.push(gi);
      else contributions.set(input.id, [gi]);
    });
  }
  return wrt.map((t) => total(t));
}
