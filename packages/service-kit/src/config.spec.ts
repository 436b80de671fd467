import { InvalidArgumentError } from '@thoughtspace/runtime';
import { boolVar, enumVar, floatVar, intVar, readConfig, stringVar, type ConfigOf } from './config';
import { SERVICE_CONFIG } from './service-config';

const schema = {
  port: intVar({ name: 'GRPC_PORT', default: 50051, min: 1, max: 65535 }),
  temperature: floatVar({ name: 'TEMPERATURE', default: 0.07, min: 0 }),
  gpu: boolVar({ name: 'USE_GPU', default: false }),
  provider: enumVar({
    name: 'PROVIDER',
    values: ['embedded', 'openai'] as const,
    default: 'embedded',
  }),
  modelDir: stringVar({ name: 'MODEL_DIR' }),
  apiKey: stringVar({ name: 'OPENAI_API_KEY', optional: true, pattern: /^sk-/ }),
};

describe('readConfig', () => {
  it('applies defaults and parses every kind', () => {
    const config: ConfigOf<typeof schema> = readConfig(schema, { MODEL_DIR: '/models' });
    expect(config).toEqual({
      port: 50051,
      temperature: 0.07,
      gpu: false,
      provider: 'embedded',
      modelDir: '/models',
      apiKey: undefined,
    });
    const set = readConfig(schema, {
      MODEL_DIR: '/m',
      GRPC_PORT: '9000',
      TEMPERATURE: '1e-1',
      USE_GPU: 'yes',
      PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-abc',
    });
    expect(set).toMatchObject({
      port: 9000,
      temperature: 0.1,
      gpu: true,
      provider: 'openai',
      apiKey: 'sk-abc',
    });
  });

  it('names every bad variable and its value in one error', () => {
    const read = () =>
      readConfig(schema, {
        GRPC_PORT: '70000',
        USE_GPU: 'maybe',
        PROVIDER: 'gpt',
        TEMPERATURE: 'warm',
      });
    expect(read).toThrow(InvalidArgumentError);
    expect(read).toThrow(
      'invalid configuration: GRPC_PORT="70000" is above the maximum 65535; ' +
        'TEMPERATURE="warm" is not a finite number; ' +
        'USE_GPU="maybe" is not a boolean (true/false/1/0/yes/no/on/off); ' +
        'PROVIDER="gpt" is not one of embedded, openai; MODEL_DIR is required',
    );
  });

  it('rejects non-integers and never echoes secret values', () => {
    expect(() => readConfig(schema, { MODEL_DIR: '/m', GRPC_PORT: '80.5' })).toThrow(
      'GRPC_PORT="80.5" is not an integer',
    );
    const err = (() => {
      try {
        readConfig(schema, { MODEL_DIR: '/m', OPENAI_API_KEY: 'hunter2' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('OPENAI_API_KEY=[redacted] does not match');
    expect(err?.message).not.toContain('hunter2');
  });

  it('treats an empty value as unset', () => {
    expect(readConfig(schema, { MODEL_DIR: '/m', GRPC_PORT: '' }).port).toBe(50051);
  });

  it('gives every service the common variables', () => {
    expect(readConfig(SERVICE_CONFIG, {})).toEqual({
      host: '0.0.0.0',
      port: 50051,
      logLevel: 'info',
      tracesExporter: 'none',
      otlpEndpoint: undefined,
      shutdownTimeoutMs: 10000,
      drainDelayMs: 5000,
      reflection: true,
    });
    expect(() => readConfig(SERVICE_CONFIG, { LOG_LEVEL: 'loud' })).toThrow(
      'LOG_LEVEL="loud" is not one of debug, info, warn, error, silent',
    );
  });
});
