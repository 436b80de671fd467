import { InvalidArgumentError } from '@thoughtspace/runtime';

/**
 * A dimension is a number or a symbol (e.g. "batch"). Symbols compose by
 * products ("batch*50") so reshapes of dynamic axes keep a known shape.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

interface DimExpr {
  coef: number;
  syms: string[];
}

function parse(dim: Dim): DimExpr {
  if (typeof dim === 'number') return { coef: dim, syms: [] };
  const expr: DimExpr = { coef: 1, syms: [] };
  for (const part of dim.split('*')) {
    if (/^\d+$/.test(part)) expr.coef *= Number(part);
    else expr.syms.push(part);
  }
  expr.syms.sort();
  return expr;
}

function format(expr: DimExpr): Dim {
  if (expr.syms.length === 0) return expr.coef;
  return expr.coef === 1 ? expr.syms.join('*') : [...expr.syms, String(expr.coef)].join('*');
}

export function dimProduct(dims: Shape): Dim {
  const out: DimExpr = { coef: 1, syms: [] };
  for (const d of dims) {
    const e = parse(d);
    out.coef *= e.coef;
    out.syms.push(...e.syms);
  }
  out.syms.sort();
  return format(out);
}

/** `num / den` as a dimension, or undefined when it does not divide. */
export function dimDivide(num: Dim, den: Dim): Dim | undefined {
  const a = parse(num);
  const b = parse(den);
  if (b.coef === 0 || a.coef % b.coef !== 0) return undefined;
  const syms = [...a.syms];
  for (const s of b.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return undefined;
    syms.splice(i, 1);
  }
  return format({ coef: a.coef / b.coef, syms });
}

export function sameDim(a: Dim, b: Dim): boolean {
  return String(format(parse(a))) === String(format(parse(b)));
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => sameDim(d, b[i]));
}

/** Numeric value of a dimension given values for its symbols. */
export function resolveDim(dim: Dim, bindings: ReadonlyMap<string, number>, what: string): number {
  const e = parse(dim);
  let v = e.coef;
  for (const s of e.syms) {
    const b = bindings.get(s);
    if (b === undefined)
      throw new InvalidArgumentError(
        `${what}: symbolic dimension "${s}" is not bound by any fed input`,
      );
    v *= b;
  }
  return v;
}

export function shapeError(op: string, detail: string, ...shapes: Shape[]): InvalidArgumentError {
  return new InvalidArgumentError(
    `${op}: ${detail} (shapes ${shapes.map(formatShape).join(' and ')})`,
  );
}

/** Numpy-style broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcast(op: string, a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (sameDim(da, db) || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw shapeError(op, `dimension ${i} does not broadcast (${da} vs ${db})`, a, b);
  }
  return out;
}

export function normAxis(op: string, axis: number, rank: number, shape: Shape): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw shapeError(op, `axis ${axis} out of range for rank ${rank}`, shape);
  return a;
}
