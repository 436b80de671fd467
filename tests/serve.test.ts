import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  HealthClient,
  HealthCheckResponse_ServingStatus,
  CandidateGenClient,
} from '@thoughtspace/proto';
import { REPO, runCli, tempDir } from './helpers';

const BIN = join(REPO, 'packages', 'cli', 'bin', 'thoughtspace.js');

describe('thoughtspace train sasrec + serve candidate-gen (as an operator runs them)', () => {
  it('trains a small model, serves it, answers health and RPCs, and stops gracefully on SIGTERM', async () => {
    const model = join(await tempDir(), 'model');
    const trained = await runCli([
      'train',
      'sasrec',
      '--dataset',
      'all-beauty-2018',
      '--out',
      model,
      '--epochs',
      '2',
      '--eval-every',
      '1',
      '--hidden',
      '8',
      '--max-len',
      '10',
      '--valid-protocol',
      'sampled:9',
    ]);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/trained SASRec on all-beauty-2018 .*2 epochs/);
    expect(trained.stderr).toMatch(/epoch 2: loss \d\.\d{4}, valid NDCG@10/);

    const child = spawn(
      process.execPath,
      [BIN, 'serve', 'candidate-gen', '--model', model, '--port', '0', '--host', '127.0.0.1'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'warn' },
      },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let stderr = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /on port (\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`server exited early: ${stderr}`)));
    });
    const health = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
    const client = new CandidateGenClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      const status = await new Promise<number>((ok, fail) =>
        health.check({ service: '' }, (err: ServiceError | null, res) =>
          err ? fail(err) : ok(res.status),
        ),
      );
      expect(status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      const top = await new Promise<number>((ok, fail) =>
        client.similarUsers(
          { history: { userId: '', interactions: [] }, k: 3, itemsPerUser: 0, model: '' },
          (err: ServiceError | null) =>
            err ? ok(err.code) : fail(new Error('empty history was accepted')),
        ),
      );
      expect(top).toBe(3); // INVALID_ARGUMENT
    } finally {
      health.close();
      client.close();
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start on a model directory that does not exist', async () => {
    const r = await runCli([
      'serve',
      'candidate-gen',
      '--model',
      '/nonexistent/model',
      '--port',
      '0',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no SASRec model at \/nonexistent\/model/);
  });
});
