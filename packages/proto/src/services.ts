/**
 * Fully qualified gRPC service names, as health checks, traces and logs name
 * them. Kept beside the generated code; a spec checks them against the
 * generated method paths so a proto rename cannot leave them stale.
 */
export const SERVICE_NAMES = {
  candidateGen: 'thoughtspace.v1.CandidateGen',
  rationaleGen: 'thoughtspace.v1.RationaleGen',
  encoder: 'thoughtspace.v1.Encoder',
  totSelector: 'thoughtspace.v1.TotSelector',
  scorer: 'thoughtspace.v1.Scorer',
  evaluator: 'thoughtspace.v1.Evaluator',
  gateway: 'thoughtspace.v1.Gateway',
  health: 'grpc.health.v1.Health',
} as const;

export type ServiceName = (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES];
