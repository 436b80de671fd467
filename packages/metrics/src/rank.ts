import { InvalidArgumentError } from '@thoughtspace/runtime';

/**
 * 1-based rank of the ground truth among the candidates' scores. Ties count
 * against the ground truth: every other candidate scoring at least as high is
 * ranked above it, so a model that scores everything equal ranks the truth
 * last. NaN scores are rejected (a NaN would silently compare false).
 */
export function rankOfTarget(scores: ArrayLike<number>, targetIndex: number): number {
  if (targetIndex < 0 || targetIndex >= scores.length || !Number.isInteger(targetIndex)) {
    throw new InvalidArgumentError(
      `targetIndex ${targetIndex} is outside the ${scores.length} candidate scores`,
    );
  }
  const t = scores[targetIndex];
  if (Number.isNaN(t))
    throw new InvalidArgumentError(`score of the ground truth (index ${targetIndex}) is NaN`);
  let above = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i === targetIndex) continue;
    const s = scores[i];
    if (Number.isNaN(s)) throw new InvalidArgumentError(`score at index ${i} is NaN`);
    if (s >= t) above++;
  }
  return above + 1;
}
