export { sanitizeUntrusted, truncateWords, DATA_FENCE, DATA_FENCE_CLOSE } from './sanitize';
export type { SanitizeOptions } from './sanitize';
export { itemText, itemLabel, hasText, formatPrice } from './item';
export type { ItemTextOptions } from './item';
export { renderBehaviour, renderBehaviourText, historyLine, historyEntries } from './behaviour';
export type { Behaviour, BehaviourOptions, HistoryEntry } from './behaviour';
export { tokenize, STOPWORDS } from './tokenize';
