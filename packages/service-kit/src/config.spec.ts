import { InvalidArgumentError } from '@thoughtspace/runtime';
import { z } from 'zod';
import {
  boolVar,
  describeConfig,
  enumVar,
  envVar,
  floatVar,
  intString,
  intVar,
  readConfig,
  stringVar,
  type ConfigOf,
} from './config';
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

describe('envVar: any zod schema over the raw string', () => {
  const schema = {
    endpoint: envVar('ENDPOINT', z.url({ message: 'is not a URL' }), {
      optional: true,
      type: 'URL',
      description: 'where to send',
    }),
    batch: envVar('BATCH', intString({ min: 1, max: 64 }), { default: 8, type: 'integer 1..64' }),
    token: envVar('SERVICE_TOKEN', z.string().min(20, { message: 'is too short' }), {
      optional: true,
    }),
  };

  it('parses, defaults, and reports the zod message naming the variable', () => {
    expect(readConfig(schema, { ENDPOINT: 'http://vllm:8000/v1' })).toEqual({
      endpoint: 'http://vllm:8000/v1',
      batch: 8,
      token: undefined,
    });
    expect(() =>
      readConfig(schema, { ENDPOINT: 'vllm', BATCH: '65', SERVICE_TOKEN: 'abc' }),
    ).toThrow(
      'invalid configuration: ENDPOINT="vllm" is not a URL; BATCH="65" is above the maximum 64; SERVICE_TOKEN=[redacted] is too short',
    );
  });

  it('describes each variable for the generated docs', () => {
    expect(describeConfig(schema)).toEqual([
      { name: 'ENDPOINT', type: 'URL', default: '(unset)', description: 'where to send' },
      { name: 'BATCH', type: 'integer 1..64', default: '8', description: '' },
      { name: 'SERVICE_TOKEN', type: 'string', default: '(unset)', description: '' },
    ]);
    expect(
      describeConfig({ port: intVar({ name: 'GRPC_PORT', default: 1, min: 0, max: 9 }) })[0],
    ).toMatchObject({
      type: 'integer 0..9',
      default: '1',
    });
  });
});
