import type { ChannelCredentials } from '@grpc/grpc-js';
import {
  EncoderClient,
  GenerateRationaleRequest,
  RationaleGenClient,
  RationaleKind,
  SERVICE_NAMES,
  AgreementRequest,
} from '@thoughtspace/proto';
import { callDownstream } from '@thoughtspace/service-kit';
import type { ThoughtSpaceAgreement, TreeWriter } from './domain/selector';

/**
 * The tree below a base reason in one rationale-gen call: REFINE of the base
 * at tree level 1 (`tree_position` {1, 0}) with the deeper levels as
 * `further_levels`, so every child gets its place's direction; without a
 * base, BASE with every level as `further_levels` (the base reason first).
 */
export function grpcTreeWriter(o: { address: string; credentials: ChannelCredentials }): {
  writeTree: TreeWriter;
  close(): void;
} {
  const client = new RationaleGenClient(o.address, o.credentials);
  return {
    writeTree: async (req, budget) => {
      const [first, ...further] = req.branching;
      const tree =
        req.base === undefined
          ? { kind: RationaleKind.BASE, n: 1, furtherLevels: [...req.branching] }
          : {
              kind: RationaleKind.REFINE,
              parentReasons: [req.base],
              n: first,
              treePosition: { level: 1, firstChild: 0 },
              furtherLevels: further,
            };
      const res = await callDownstream(
        client,
        client.generateRationale,
        GenerateRationaleRequest.fromPartial({
          task: {
            ...tree,
            history: req.history,
            similarUserItemIds: req.similarItemIds,
            seed: req.seed,
            provider: req.provider ?? '',
          },
        }),
        {
          peer: 'rationale-gen',
          service: SERVICE_NAMES.rationaleGen,
          method: 'GenerateRationale',
          ...budget,
        },
      );
      const texts = res.rationales.map((r) => r.reason);
      const writer = {
        provider: res.rationales[0]?.provider ?? '',
        model: res.rationales[0]?.model ?? '',
      };
      if (req.base !== undefined) return { texts, ...writer };
      return {
        texts: texts.slice(1),
        ...writer,
        base: { text: texts[0] ?? '', ms: res.levelMs[0] ?? 0 },
      };
    },
    close: () => client.close(),
  };
}

/** The encoder's Agreement: cos(E1(rationale), E2(history)) for every rationale. */
export function grpcAgreement(o: { address: string; credentials: ChannelCredentials }): {
  agreement: ThoughtSpaceAgreement;
  close(): void;
} {
  const client = new EncoderClient(o.address, o.credentials);
  return {
    agreement: async (req, budget) => {
      const res = await callDownstream(
        client,
        client.agreement,
        AgreementRequest.fromPartial({
          rationales: req.rationales,
          behaviour: { history: req.history },
        }),
        { peer: 'encoder', service: SERVICE_NAMES.encoder, method: 'Agreement', ...budget },
      );
      return Float64Array.from(res.cosines);
    },
    close: () => client.close(),
  };
}
