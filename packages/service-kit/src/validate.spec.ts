import { SelectionStrategy, type SelectRequest } from '@thoughtspace/proto';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  requireEnum,
  requireInt,
  requireMessage,
  requireNonEmpty,
  requireString,
} from './validate';

function request(overrides: Partial<SelectRequest> = {}): SelectRequest {
  return {
    baseReason: 'likes quiet hair dryers',
    similarUserItemIds: [],
    candidateItemIds: ['a', 'b'],
    depth: 0,
    b1: 3,
    b2: 3,
    strategy: SelectionStrategy.THOUGHT_SPACE,
    returnTree: false,
    returnSelectedEmbedding: false,
    provider: '',
    nodes: [],
    writeBaseReason: false,
    history: { userId: 'u1', interactions: [] },
    ...overrides,
  };
}

describe('request validation', () => {
  it('returns checked values', () => {
    const req = request();
    expect(requireString(req, 'baseReason')).toBe('likes quiet hair dryers');
    expect(requireInt(req, 'depth', { min: 1, max: 4, zeroMeans: 2 })).toBe(2);
    expect(requireInt(req, 'b1', { min: 1, max: 16 })).toBe(3);
    expect(requireNonEmpty(req, 'candidateItemIds', { max: 10 })).toEqual(['a', 'b']);
    expect(requireMessage(req, 'history').userId).toBe('u1');
    expect(requireEnum(req, 'strategy', SelectionStrategy)).toBe(SelectionStrategy.THOUGHT_SPACE);
  });

  it.each([
    [() => requireString(request({ baseReason: '' }), 'baseReason'), 'base_reason is required'],
    [
      () =>
        requireString(request({ baseReason: 'x'.repeat(5000) }), 'baseReason', { maxLength: 4096 }),
      'base_reason must be at most 4096 characters, got 5000',
    ],
    [
      () => requireInt(request({ b1: 17 }), 'b1', { min: 1, max: 16 }),
      'b1 must be in [1, 16], got 17',
    ],
    [() => requireInt(request({ b2: 1.5 }), 'b2'), 'b2 must be an integer, got 1.5'],
    [
      () => requireNonEmpty(request({ candidateItemIds: [] }), 'candidateItemIds'),
      'candidate_item_ids must not be empty',
    ],
    [
      () => requireNonEmpty(request(), 'candidateItemIds', { max: 1 }),
      'candidate_item_ids must have at most 1 elements, got 2',
    ],
    [() => requireMessage(request({ history: undefined }), 'history'), 'history is required'],
    [
      () => requireString({ userId: '' }, 'userId', { label: 'history.user_id' }),
      'history.user_id is required',
    ],
    [
      () =>
        requireEnum(
          request({ strategy: SelectionStrategy.UNSPECIFIED }),
          'strategy',
          SelectionStrategy,
        ),
      'strategy must be specified',
    ],
    [
      () =>
        requireEnum(
          request({ strategy: SelectionStrategy.UNRECOGNIZED }),
          'strategy',
          SelectionStrategy,
        ),
      'strategy has an unknown value -1',
    ],
  ])('throws InvalidArgumentError naming the proto field (%#)', (fn, message) => {
    expect(fn).toThrow(InvalidArgumentError);
    expect(fn).toThrow(message);
  });
});
