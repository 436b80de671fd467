/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { evaluateSasrec, trainSasrec, validateConfig } from '@thoughtspace/candidate-gen';
import { parseProtocol, prepareDataset } from '@thoughtspace/data';
import { resultsStage } from './outputs';
import { parseSiblings, siblingsStage, siblingWordVectors } from './siblings';
import { evaluationStage } from './stages';

describe('--siblings', () => {
  it('parses the list and names the flag on a bad one', () => {
    expect(parseSiblings(undefined)).toEqual([]);
    expect(parseSiblings('coderrec,reaemb,gru4rec')).toEqual(['coderrec', 'reaemb', 'gru4rec']);
    expect(() => parseSiblings('coderrec,bert4rec')).toThrow(
      /--siblings: unknown method "bert4rec" \(one or more of coderrec, reaemb, gru4rec/,
    );
    expect(() => parseSiblings('gru4rec,gru4rec')).toThrow(/--siblings: .* names a method twice/);
  });

  it('needs word vectors only for coderrec; an explicit readable file wins', () => {
    expect(siblingWordVectors(['gru4rec', 'reaemb'], '/nope.zip')).toBeUndefined();
    const previous = process.env.THOUGHTSPACE_MODELS;
    process.env.THOUGHTSPACE_MODELS = '/nonexistent-models';
    try {
      // The shared folder may hold GloVe; with an explicit readable file that one wins.
      const found = siblingWordVectors(['coderrec'], __filename);
      expect(found).toBe(__filename);
    } finally {
      if (previous === undefined) delete process.env.THOUGHTSPACE_MODELS;
      else process.env.THOUGHTSPACE_MODELS = previous;
    }
  });

  it('adds GRU4Rec as a row on the main test set, paired against SASRec (all-beauty-2018, small budget)', async () => {
    const prepared = await prepareDataset({ dataset: 'all-beauty-2018' });
    const protocol = parseProtocol('sampled:9');
    const evaluation = evaluationStage({ prepared, protocol, seed: 1 });
    // A small SASRec stands in for the main one (sasrecStage trains the paper architecture).
    const config = validateConfig({
      maxLen: 10,
      hidden: 16,
      blocks: 1,
      epochs: 3,
      evalEvery: 3,
      patience: 0,
      batch: 256,
      lr: 0.005,
      seed: 1,
    });
    const trained = await trainSasrec({
      dataset: prepared.dataset,
      datasetHash: prepared.manifest.hash,
      loo: evaluation.loo,
      config,
      validProtocol: protocol,
      silent: true,
    });
    const sasrecRun = await evaluateSasrec(
      trained.trainer,
      trained.model,
      config,
      evaluation.testSet,
      {
        resamples: 50,
        silent: true,
      },
    );
    await trained.trainer.dispose();
    const sasrec = {
      config,
      row: { name: 'sasrec', provider: 'none', report: sasrecRun.report, run: sasrecRun },
    };
    const lines: string[] = [];
    const s = await siblingsStage({
      siblings: ['gru4rec'],
      prepared,
      evaluation,
      protocol,
      seed: 1,
      resamples: 50,
      quick: true,
      sasrecConfig: sasrec.config,
      log: (l) => lines.push(l),
    });
    expect(s.rows.map((r) => r.name)).toEqual(['gru4rec']);
    const row = s.rows[0];
    // Same test users and candidate sets as SASRec's row.
    expect(row.run.ranks.length).toBe(sasrec.row.run.ranks.length);
    expect(row.run.ranks.length).toBe(evaluation.testSet.cases.length);
    // Trained under the main SASRec's budget.
    expect(s.summary.gru4recConfig).toMatchObject({
      epochs: sasrec.config.epochs,
      hidden: sasrec.config.hidden,
      maxLen: sasrec.config.maxLen,
    });
    expect(row.report.metrics['HR@1'].mean).toBeGreaterThan(0.1); // chance with 10 candidates
    const results = resultsStage({
      rows: [sasrec.row, ...s.rows],
      reference: sasrec.row,
      prepared,
      protocol,
      seed: 1,
      resamples: 50,
      command: 'test',
    });
    const gru = results.find((r) => r.method === 'gru4rec');
    expect(gru?.versus?.method).toBe('sasrec');
    expect(gru?.versus?.tests['NDCG@10'].pValue).toBeGreaterThan(0);
    expect(lines.some((l) => /gru4rec: test NDCG@10/.test(l))).toBe(true);
  });
});
