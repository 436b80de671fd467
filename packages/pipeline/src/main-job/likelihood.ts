import { supportsLogprobs, type RationaleProvider } from '@thoughtspace/rationale-gen';
import { likelihoodAgreement, type AgreementFn } from '@thoughtspace/tot-selector';

/**
 * The likelihood row's agreement when the provider scores text
 * (`capabilities.logprobs`: llama-cpp), else the note the report prints in
 * its place. The same provider writes the reasons and scores the behaviour.
 */
export function likelihoodSelection(
  provider: RationaleProvider,
): { likelihood: AgreementFn; note?: undefined } | { likelihood?: undefined; note: string } {
  if (supportsLogprobs(provider)) return { likelihood: likelihoodAgreement(provider) };
  return {
    note: `likelihood row skipped: provider ${provider.name} exposes no log-probabilities (use --provider llama-cpp --gguf <model>)`,
  };
}
