/**
 * Contract test of the openai provider against a local node:http server on
 * 127.0.0.1 that speaks the OpenAI chat-completions shape (POST
 * /v1/chat/completions -> { choices: [{ message: { content } }], usage }).
 * No real model endpoint is reachable from CI; vLLM, Ollama and the llama.cpp
 * server implement this same shape.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Status } from '@thoughtspace/runtime';
import type { RationaleRequest } from '../types';
import { createEmbeddedProvider } from './embedded';
import { createOpenAIProvider, type OpenAIProviderOptions } from './openai';

type Reply = (body: Record<string, unknown>, res: ServerResponse) => void;

const GOOD = JSON.stringify({
  reason: 'They keep buying hand cream.',
  evidence: ['item B1: Hand Cream'],
});
const ok =
  (content = GOOD): Reply =>
  (_body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 120, completion_tokens: 20 },
      }),
    );
  };
const status =
  (code: number): Reply =>
  (_body, res) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'busy' } }));
  };
const hang: Reply = () => {};

const req: RationaleRequest = {
  kind: 'base',
  history: [
    { item: { id: 'B1', title: 'Hand Cream' }, rating: 5, review: 'Great smell' },
    { item: { id: 'B2', title: 'Hand Cream Deluxe' } },
  ],
};

describe('openai provider against a loopback chat-completions server', () => {
  let server: Server;
  let baseURL: string;
  let replies: Reply[];
  let bodies: Record<string, unknown>[];
  let headers: IncomingMessage['headers'][];

  beforeAll(async () => {
    server = createServer((r, res) => {
      let data = '';
      r.on('data', (c: Buffer) => (data += c.toString()));
      r.on('end', () => {
        const body = JSON.parse(data) as Record<string, unknown>;
        bodies.push(body);
        headers.push(r.headers);
        const reply = replies.length > 1 ? replies.shift()! : replies[0];
        reply(body, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  beforeEach(() => {
    replies = [];
    bodies = [];
    headers = [];
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const provider = (o: Partial<OpenAIProviderOptions> = {}) =>
    createOpenAIProvider({
      baseURL,
      model: 'test-model',
      apiKey: 'sk-secret',
      backoffMs: 5,
      timeoutMs: 2000,
      ...o,
    });

  it('success: sends the chat request with a json_schema response_format and parses the answer', async () => {
    replies = [ok()];
    const r = await provider().generate(req);
    expect(r).toEqual({
      reason: 'They keep buying hand cream.',
      evidence: ['item B1: Hand Cream'],
      provider: 'openai',
      model: 'test-model',
      kind: 'base',
      usage: { promptTokens: 120, completionTokens: 20 },
    });
    const body = bodies[0] as {
      model: string;
      messages: { role: string; content: string }[];
      response_format: { type: string; json_schema: { schema: { required: string[] } } };
    };
    expect(body.model).toBe('test-model');
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(body.messages[1].content).toContain('Hand Cream | rated 5 | review: Great smell');
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.schema.required).toEqual(['reason', 'evidence']);
    expect(headers[0].authorization).toBe('Bearer sk-secret');
  });

  it('schema-invalid JSON: retried, then a clear error', async () => {
    replies = [ok('{"reason": 42}')];
    const err = await provider({ maxRetries: 2 })
      .generate(req)
      .catch((e: unknown) => e);
    expect(bodies).toHaveLength(3);
    expect(err).toMatchObject({ code: Status.UNAVAILABLE, retriable: true });
    expect((err as Error).message).toMatch(
      /^openai provider at http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \(model test-model\) failed after 3 attempts: schema-invalid answer: output.reason must be a non-empty string$/,
    );
    expect((err as Error).message).not.toContain('sk-secret');
  });

  it('503 twice then success: retries with backoff', async () => {
    replies = [status(503), status(503), ok()];
    const r = await provider().generate(req);
    expect(r.reason).toBe('They keep buying hand cream.');
    expect(bodies).toHaveLength(3);
  });

  it('a 4xx other than 429 is not retried', async () => {
    replies = [status(401)];
    await expect(provider().generate(req)).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      message: expect.stringMatching(/rejected the request: HTTP 401/),
    });
    expect(bodies).toHaveLength(1);
  });

  it('timeout per attempt: DEADLINE_EXCEEDED after the retries', async () => {
    replies = [hang];
    const started = Date.now();
    const err = await provider({ timeoutMs: 100, maxRetries: 1 })
      .generate(req)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Status.DEADLINE_EXCEEDED, retriable: true });
    expect((err as Error).message).toMatch(/failed after 2 attempts: no response within 100 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('endpoint down: UNAVAILABLE naming the endpoint', async () => {
    const down = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const err = await createOpenAIProvider({
      baseURL: `http://127.0.0.1:${down}/v1`,
      model: 'm',
      backoffMs: 5,
      maxRetries: 1,
    })
      .generate(req)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Status.UNAVAILABLE, retriable: true });
    expect((err as Error).message).toBe(
      `openai provider at http://127.0.0.1:${down}/v1/chat/completions (model m) failed after 2 attempts: network error: ECONNREFUSED`,
    );
  });

  it('fallback to embedded is recorded in the Rationale', async () => {
    replies = [status(500)];
    const r = await provider({ maxRetries: 1, fallback: createEmbeddedProvider() }).generate(req);
    expect(r.provider).toBe('embedded');
    expect(r.model).toBe('none');
    expect(r.fallbackFrom).toEqual({
      provider: 'openai',
      model: 'test-model',
      error: expect.stringMatching(/failed after 2 attempts: HTTP 500$/),
    });
  });

  it('bounded concurrency: at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    replies = [
      (body, res) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight--;
          ok()(body, res);
        }, 30);
      },
    ];
    const p = provider({ concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => p.generate(req)));
    expect(peak).toBe(2);
  });
});
