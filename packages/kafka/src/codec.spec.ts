import { interactionCodec, predictionCodec, recRequestCodec } from './codec';
import { InvalidEventError } from './errors';

const header = { requestId: 'r1', userId: 'u1', producedAtUnixMs: 1, datasetManifestHash: 'h' };
const prediction = {
  header,
  prediction: {
    userId: 'u1',
    candidateItemIds: ['a', 'b'],
    scores: [0.5, 1],
    method: 'm',
    provider: 'none',
    modelVersion: '',
  },
};

describe('event codecs', () => {
  it('round-trips a prediction', () => {
    expect(predictionCodec.decode(predictionCodec.encode(prediction))).toEqual(prediction);
  });

  it.each([
    ['an empty value', Buffer.alloc(0), /empty record value/],
    [
      'garbage bytes',
      Buffer.from([0xff, 0xff, 0xff, 0x07, 0x00, 0x13]),
      /undecodable protobuf|missing required/,
    ],
    [
      'an InteractionEvent (valid protobuf of the wrong type)',
      interactionCodec.encode({ header, interaction: { itemId: 'a' } }),
      /missing required field "prediction/,
    ],
    [
      'a prediction without a request id',
      predictionCodec.encode({ ...prediction, header: { ...header, requestId: '' } }),
      /missing required field "header.request_id"/,
    ],
    [
      'scores shorter than the candidates',
      predictionCodec.encode({
        ...prediction,
        prediction: { ...prediction.prediction, scores: [1] },
      }),
      /"prediction.scores" must be as long as/,
    ],
    [
      'a NaN score',
      predictionCodec.encode({
        ...prediction,
        prediction: { ...prediction.prediction, scores: [1, NaN] },
      }),
      /prediction.scores\[1\] must be a finite number/,
    ],
    [
      'duplicate candidates',
      predictionCodec.encode({
        ...prediction,
        prediction: { ...prediction.prediction, candidateItemIds: ['a', 'a'] },
      }),
      /duplicate item ids/,
    ],
  ])('rejects %s with a reason naming the field', (_, bytes, reason) => {
    expect(() => predictionCodec.decode(bytes)).toThrow(InvalidEventError);
    expect(() => predictionCodec.decode(bytes)).toThrow(reason);
  });

  it('checks k on requests without a fixed candidate set', () => {
    const req = {
      header,
      history: { userId: 'u1', interactions: [] },
      k: 0,
      candidateItemIds: [],
      deadlineUnixMs: 0,
      method: '',
    };
    expect(() => recRequestCodec.decode(recRequestCodec.encode(req))).toThrow(
      'field "k" must be in 1..1000, got 0',
    );
    expect(recRequestCodec.decode(recRequestCodec.encode({ ...req, k: 10 })).k).toBe(10);
  });
});
