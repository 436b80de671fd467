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
import type { Refiner, ThoughtSpaceAgreement } from './domain/selector';

/** REFINE calls to rationale-gen: `n` alternatives of each parent, one per refinement direction. */
export function grpcRefiner(o: { address: string; credentials: ChannelCredentials }): {
  refine: Refiner;
  close(): void;
} {
  const client = new RationaleGenClient(o.address, o.credentials);
  return {
    refine: async (req, budget) => {
      const res = await callDownstream(
        client,
        client.generateRationale,
        GenerateRationaleRequest.fromPartial({
          task: {
            kind: RationaleKind.REFINE,
            history: req.history,
            parentReasons: req.parents,
            n: req.n,
            treePosition: { level: req.level, firstChild: req.firstChild },
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
      // Parent by parent, n each.
      const texts = req.parents.map((_, p) =>
        res.rationales.slice(p * req.n, (p + 1) * req.n).map((r) => r.reason),
      );
      return {
        texts,
        provider: res.rationales[0]?.provider ?? '',
        model: res.rationales[0]?.model ?? '',
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
