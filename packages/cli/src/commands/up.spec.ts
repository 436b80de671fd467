import { spawnSync } from 'node:child_process';
import { shellWord, stopWaves, UP_ORDER } from './up';

describe('thoughtspace down', () => {
  it('stops the callers, then the services together, then the broker', () => {
    const names = ['broker', ...UP_ORDER, 'worker:candidate-gen', 'worker:scorer'];
    expect(stopWaves(names)).toEqual([
      ['gateway', 'worker:candidate-gen', 'worker:scorer'],
      UP_ORDER.filter((n) => n !== 'gateway'),
      ['broker'],
    ]);
    // gRPC only: the gateway, then the six services.
    expect(stopWaves(UP_ORDER)).toEqual([['gateway'], UP_ORDER.filter((n) => n !== 'gateway')]);
  });
});

describe('thoughtspace up: the printed example call', () => {
  it('quotes a user id only where a shell would change it, and bash reads every one back', () => {
    expect(shellWord('A2X9Q0B1CZ')).toBe('A2X9Q0B1CZ');
    expect(shellWord('user-7.a@b')).toBe('user-7.a@b');
    const odd = ["it's", 'a b', '$HOME', 'x;rm', '"q"', ''];
    for (const word of odd) {
      const echoed = spawnSync('bash', ['-c', `printf %s ${shellWord(word)}`], {
        encoding: 'utf8',
      });
      expect(echoed.stdout).toBe(word);
    }
  });
});
