/**
 * Lowercase word and number tokens: letters and digits (any script) form
 * tokens, everything else separates them. `"D.E.J. Eye-Cream, 1.7oz"` ->
 * `["d", "e", "j", "eye", "cream", "1", "7oz"]`. Used by the embedded
 * rationale composer and the text encoder's vocabulary.
 */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** Common English function words, skipped when counting content terms. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before ' +
    'being below between both but by can could did do does doing down during each even ever few ' +
    'for from further get got had has have having he her here hers herself him himself his how i ' +
    'if in into is it its itself just like me more most much my myself no nor not now of off on ' +
    'once one only or other our ours out over own really same she should so some such than that ' +
    'the their theirs them then there these they this those through to too under until up us ' +
    'use used very was we well were what when where which while who whom why will with would ' +
    'you your yours yourself new'
  ).split(' '),
);
