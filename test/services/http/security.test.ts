import type { Request, Response } from 'restify';
import { framingAllowedFor } from '../../../services/http/security';
import { Harness, startHarness } from './harness';
import { rawRequest } from './raw-request';

const TOKEN = 'security-test-token-0123456789';

describe('security headers on every answer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ apiToken: TOKEN });
    // A route that must be shown inside Teams, as a tab under /desk/ will be.
    h.http.server.get(
      '/desk/tab',
      framingAllowedFor(['https://teams.microsoft.com', 'https://*.teams.microsoft.com']),
      async (_req: Request, res: Response) => {
        res.sendRaw(200, '<!doctype html><p>tab</p>', { 'Content-Type': 'text/html; charset=utf-8' });
      },
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['GET', '/healthz', 200],
    ['GET', '/api/orders', 401],
    ['GET', '/api/orders?status=nada', 400],
    ['GET', '/no-such-route', 404],
    ['POST', '/api/messages', 400],
  ])('%s %s (%d): nosniff, no framing, no caching, no Server header', async (method, path, status) => {
    const answer = await rawRequest(`${h.baseUrl}${path}`, {
      method,
      body: method === 'POST' ? '{}' : undefined,
      headers: {
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...(path.includes('status') ? { authorization: `Bearer ${TOKEN}` } : {}),
      },
    });
    expect(answer.status).toBe(status);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers.server).toBeUndefined();
  });

  it('lets a route name who may frame it', async () => {
    const answer = await rawRequest(`${h.baseUrl}/desk/tab`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-security-policy']).toMatch(
      /frame-ancestors https:\/\/teams\.microsoft\.com https:\/\/\*\.teams\.microsoft\.com/,
    );
    expect(answer.headers['x-frame-options']).toBeUndefined();
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('rate limits', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ apiToken: TOKEN });
  });
  afterEach(async () => {
    await h?.close();
  });

  async function burst(
    path: string,
    count: number,
    headers: Record<string, string> = {},
  ): Promise<Array<{ status: number; retryAfter?: string }>> {
    const answers: Array<{ status: number; retryAfter?: string }> = [];
    for (let i = 0; i < count; i++) {
      const a = await rawRequest(`${h.baseUrl}${path}`, { headers });
      answers.push({ status: a.status, retryAfter: a.headers['retry-after'] as string | undefined });
    }
    return answers;
  }

  it.each(['/healthz', '/cedula/verify/ABCD-EFGH-JKLM', '/cedula/ABCD-EFGH-JKLM.pdf'])(
    'answers 429 with Retry-After to a burst of 200 requests to %s',
    async (path) => {
      const answers = await burst(path, 200);
      const limited = answers.filter((a) => a.status === 429);
      expect(answers[0]!.status).not.toBe(429);
      expect(limited.length).toBeGreaterThanOrEqual(100);
      expect(Number(limited[0]!.retryAfter)).toBeGreaterThan(0);
    },
    60_000,
  );

  it('refuses an address after repeated failed sign-ins on the read API, even with the right token', async () => {
    const wrong = await burst('/api/orders', 10, { authorization: 'Bearer wrong-token-0123456789' });
    expect(wrong.map((a) => a.status)).toEqual(Array(10).fill(401));
    const [next] = await burst('/api/orders', 1, { authorization: `Bearer ${TOKEN}` });
    expect(next).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^\d+$/) });
  });

  it('does not count successful sign-ins', async () => {
    const answers = await burst('/api/orders', 30, { authorization: `Bearer ${TOKEN}` });
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});
