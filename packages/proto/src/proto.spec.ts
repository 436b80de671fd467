import {
  CandidateGenService,
  EncoderService,
  EvaluateSplitRequest,
  EvaluatorService,
  HealthService,
  PredictionEvent,
  RationaleGenService,
  RationaleKind,
  ScorerService,
  SelectionStrategy,
  GatewayService,
  SERVICE_NAMES,
  StreamRationaleResponse,
  TotSelectorService,
  UserHistory,
} from './index';

describe('@thoughtspace/proto', () => {
  it('SERVICE_NAMES match the generated method paths', () => {
    const definitions = {
      candidateGen: CandidateGenService,
      rationaleGen: RationaleGenService,
      encoder: EncoderService,
      totSelector: TotSelectorService,
      scorer: ScorerService,
      evaluator: EvaluatorService,
      gateway: GatewayService,
      health: HealthService,
    };
    for (const [key, definition] of Object.entries(definitions)) {
      const name = SERVICE_NAMES[key as keyof typeof SERVICE_NAMES];
      for (const method of Object.values(definition))
        expect(method.path.startsWith(`/${name}/`)).toBe(true);
    }
  });

  it('round-trips optional fields and int64 seconds as numbers', () => {
    const history: UserHistory = {
      userId: 'A1',
      interactions: [
        { itemId: 'B001', rating: 5, review: 'quiet and small', unixTimeS: 1_400_000_000 },
        { itemId: 'B002' },
      ],
    };
    const decoded = UserHistory.decode(UserHistory.encode(history).finish());
    expect(decoded).toEqual(history);
    expect(decoded.interactions[1].rating).toBeUndefined();
    expect(typeof decoded.interactions[0].unixTimeS).toBe('number');
  });

  it('encodes oneofs as tagged unions', () => {
    const msg: StreamRationaleResponse = {
      index: 2,
      event: {
        $case: 'rationale',
        value: {
          reason: 'r',
          evidence: ['brand: X'],
          provider: 'embedded',
          model: 'none',
          kind: RationaleKind.REFINE,
        },
      },
    };
    expect(StreamRationaleResponse.decode(StreamRationaleResponse.encode(msg).finish())).toEqual(
      msg,
    );
    const req = EvaluateSplitRequest.fromPartial({
      source: { $case: 'predictionsUri', value: 'file:///p.jsonl' },
    });
    expect(EvaluateSplitRequest.decode(EvaluateSplitRequest.encode(req).finish()).source).toEqual({
      $case: 'predictionsUri',
      value: 'file:///p.jsonl',
    });
  });

  it('uses prefix-free enum names in TypeScript and canonical names in JSON', () => {
    expect(SelectionStrategy.THOUGHT_SPACE).toBe(1);
    const event = PredictionEvent.fromPartial({
      header: { requestId: 'r1', userId: 'A1', producedAtUnixMs: 1_700_000_000_123 },
      prediction: {
        userId: 'A1',
        candidateItemIds: ['a', 'b'],
        scores: [0.5, -1],
        method: 'markov',
      },
    });
    const back = PredictionEvent.decode(PredictionEvent.encode(event).finish());
    expect(back.header?.producedAtUnixMs).toBe(1_700_000_000_123);
    expect(back.prediction?.scores).toEqual([0.5, -1]);
    expect(
      JSON.stringify(
        StreamRationaleResponse.toJSON({
          index: 0,
          event: {
            $case: 'rationale',
            value: { reason: '', evidence: [], provider: '', model: '', kind: RationaleKind.BASE },
          },
        }),
      ),
    ).toContain('RATIONALE_KIND_BASE');
  });
});
