import { stopWaves, UP_ORDER } from './up';

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
