import { runCli } from './helpers';

// The CLI's diagnostics go through the services' pino logger: plain messages
// on a terminal by default, JSON lines with LOG_FORMAT=json, silenced by
// LOG_LEVEL; results stay on stdout.
describe('CLI diagnostics through the logger', () => {
  const args = ['baseline', 'pop', '--dataset', 'all-beauty-2018', '--resamples', '10'];
  const jsonLines = (stderr: string) =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; ns: string; msg: string });

  it('writes JSON lines with LOG_FORMAT=json, the table still on stdout', async () => {
    const r = await runCli(args, { env: { LOG_FORMAT: 'json', LOG_LEVEL: 'info' } });
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stderr);
    expect(lines[0]).toMatchObject({
      level: 'info',
      ns: 'thoughtspace',
      msg: 'loading all-beauty-2018 ...',
    });
    expect(lines.some((l) => l.msg.startsWith('loaded all-beauty-2018 (manifest'))).toBe(true);
    expect(r.stdout).toMatch(/HR@1/);
  });

  it('honours LOG_LEVEL and keeps errors, as JSON too', async () => {
    const quiet = await runCli(args, { env: { LOG_LEVEL: 'warn', LOG_FORMAT: '' } });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toMatch(/loading all-beauty-2018/);
    const bad = await runCli(['baseline', 'pop', '--dataset', 'no-such-set'], {
      env: { LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
    });
    expect(bad.code).toBe(3);
    expect(jsonLines(bad.stderr)).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: expect.stringMatching(/^thoughtspace: "no-such-set" is neither/),
      }),
    ]);
  });
});
