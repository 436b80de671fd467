import { loadConfig } from './config';

describe('tot-selector config: where the Thought Space runs', () => {
  const base = { RATIONALE_GEN_ADDR: 'localhost:1' };

  it('runs it in process from THOUGHT_SPACE_DIR, or calls the encoder at ENCODER_ADDR', () => {
    expect(loadConfig({ ...base, THOUGHT_SPACE_DIR: '/m' })).toMatchObject({
      thoughtSpaceDir: '/m',
      encoderAddress: undefined,
    });
    expect(loadConfig({ ...base, ENCODER_ADDR: 'localhost:2' })).toMatchObject({
      thoughtSpaceDir: undefined,
      encoderAddress: 'localhost:2',
    });
  });

  it.each([
    ['neither', {}],
    ['both', { THOUGHT_SPACE_DIR: '/m', ENCODER_ADDR: 'localhost:2' }],
  ])('refuses %s, naming both variables', (_, env) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(
      /set one of THOUGHT_SPACE_DIR .* or ENCODER_ADDR/,
    );
  });
});
