import { InvalidArgumentError as CommanderInvalidArgument, Option } from 'commander';
import type { PreprocessOptions } from '@thoughtspace/data';

/** Parse a non-negative integer flag value with a message naming the flag. */
export function intArg(flag: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new CommanderInvalidArgument(`${flag} must be an integer >= ${min}`);
    return n;
  };
}

/** Flags shared by every command that loads a dataset. */
export function datasetOptions(): Option[] {
  return [
    new Option(
      '--kcore <k>',
      "minimum interactions per user and item (default: the preset's, else 5)",
    ).argParser(intArg('--kcore')),
    new Option('--passes <mode>', 'k-core passes (default: iterative)').choices([
      'iterative',
      'single',
    ]),
    new Option(
      '--min-seq-len <n>',
      'drop users with fewer interactions after k-core (default 0)',
    ).argParser(intArg('--min-seq-len')),
    new Option(
      '--order <by>',
      'order events by timestamp when present, or keep file order',
    ).choices(['timestamp', 'file']),
    new Option('--strict', 'fail on the first malformed line instead of counting it'),
  ];
}

export interface DatasetFlags {
  dataset: string;
  kcore?: number;
  passes?: 'iterative' | 'single';
  minSeqLen?: number;
  order?: 'timestamp' | 'file';
  strict?: boolean;
}

export function preprocessOverrides(flags: DatasetFlags): Partial<PreprocessOptions> {
  return {
    kcore: flags.kcore,
    passes: flags.passes,
    minSeqLen: flags.minSeqLen,
    order: flags.order,
  };
}
