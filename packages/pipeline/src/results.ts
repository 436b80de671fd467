import type { Manifest } from '@thoughtspace/data';
import type { MetricReport, PairedComparison, MetricName } from '@thoughtspace/metrics';

/**
 * The JSON every evaluation writes. It names what a reader needs to reproduce
 * the figures: dataset manifest hash, protocol, split, seed, provider, command.
 */
export interface MethodResult {
  method: string;
  /** Language-model provider used to produce the figures ("none" for models without rationales). */
  provider: string;
  dataset: {
    name: string;
    manifestHash: string;
    counts: Manifest['report']['final'];
    options: Manifest['options'];
  };
  split: string;
  protocol: string;
  seed: number;
  cases: number;
  metrics: MetricReport['metrics'];
  bootstrap: MetricReport['bootstrap'];
  /** Paired tests against a reference method on the same users, when one was run. */
  versus?: { method: string; tests: Record<MetricName, PairedComparison> };
  seconds: number;
  command: string;
  tool: Manifest['tool'];
  createdAt: string;
}

export function methodResult(args: {
  method: string;
  provider?: string;
  manifest: Manifest;
  split: string;
  protocol: string;
  seed: number;
  report: MetricReport;
  seconds: number;
  command: string;
  versus?: MethodResult['versus'];
}): MethodResult {
  return {
    method: args.method,
    provider: args.provider ?? 'none',
    dataset: {
      name: args.manifest.name,
      manifestHash: args.manifest.hash,
      counts: args.manifest.report.final,
      options: args.manifest.options,
    },
    split: args.split,
    protocol: args.protocol,
    seed: args.seed,
    cases: args.report.cases,
    metrics: args.report.metrics,
    bootstrap: args.report.bootstrap,
    ...(args.versus ? { versus: args.versus } : {}),
    seconds: Number(args.seconds.toFixed(3)),
    command: args.command,
    tool: args.manifest.tool,
    createdAt: new Date().toISOString(),
  };
}
