/**
 * What the evaluation harness needs from a model: scores for a user's
 * candidate items given the history it may see. Higher is better. A model is
 * fitted before scoring on exactly the sequences `sequencesBefore` returns
 * for the split, so it never sees the evaluated target.
 */
export interface CandidateScorer {
  readonly name: string;
  score(input: { user: number; history: Int32Array; candidates: Int32Array }): Float64Array;
  /**
   * Optional: write the score of every item of the catalogue into `out`
   * (length numItems), the same values `score` gives. Full ranking uses it
   * instead of spelling out a candidate list per user.
   */
  scoreAll?(input: { user: number; history: Int32Array }, out: Float64Array): void;
}

/** Fitting input: per-user sequences the model may learn from, and the item universe size. */
export interface FitInput {
  sequences: Int32Array[];
  numItems: number;
}
