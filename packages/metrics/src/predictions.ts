import { InvalidArgumentError } from '@thoughtspace/runtime';

/**
 * One line of a predictions file (JSON lines):
 *   {"user": "A1B2", "candidates": ["i9", "i4", ...], "scores": [0.3, 1.2, ...], "target": "i4"}
 * `target` names the ground truth and must be one of the candidates. A file
 * may omit it when the evaluator is given the dataset to look targets up.
 */
export interface Prediction {
  user: string;
  candidates: string[];
  scores: number[];
  target?: string;
}

/** Validate one decoded JSON value as a Prediction; the message names the bad field. */
export function parsePrediction(value: unknown): Prediction {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('expected a JSON object');
  }
  const v = value as Record<string, unknown>;
  if (typeof v.user !== 'string' && typeof v.user !== 'number') {
    throw new InvalidArgumentError('field "user" must be a string or number');
  }
  if (!Array.isArray(v.candidates) || v.candidates.length === 0) {
    throw new InvalidArgumentError('field "candidates" must be a non-empty array');
  }
  if (!Array.isArray(v.scores) || v.scores.length !== v.candidates.length) {
    throw new InvalidArgumentError(
      `field "scores" must be an array as long as "candidates" (${v.candidates.length})`,
    );
  }
  const scores = v.scores.map((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw new InvalidArgumentError(`scores[${i}] must be a finite number`);
    }
    return s;
  });
  const candidates = v.candidates.map(String);
  if (new Set(candidates).size !== candidates.length) {
    throw new InvalidArgumentError('field "candidates" has duplicate ids');
  }
  const p: Prediction = { user: String(v.user), candidates, scores };
  if (v.target !== undefined) {
    p.target = String(v.target);
    if (!candidates.includes(p.target)) {
      throw new InvalidArgumentError(`field "target" (${p.target}) is not among the candidates`);
    }
  }
  return p;
}
