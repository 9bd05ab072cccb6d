import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_BODY_BYTES } from '../../../services/http/server';
import { Harness, startHarness } from './harness';
import { multipartBody, rawRequest } from './raw-request';

const TOKEN = 'bodies-test-token-0123456789';

/**
 * Regular files of at least `minBytes` that appeared in the OS temp folder since `since`.
 * (The folder is shared with everything else on the machine, so only files as big as the
 * uploads below count; TMPDIR cannot be redirected from inside a jest sandbox.)
 */
function bigNewTempFiles(since: number, minBytes: number): string[] {
  const found: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    try {
      const s = statSync(join(tmpdir(), name));
      if (s.isFile() && s.mtimeMs >= since && s.size >= minBytes) found.push(name);
    } catch {
      /* removed meanwhile by its owner */
    }
  }
  return found;
}

const UPLOAD_BYTES = 1024 * 1024;

describe('request bodies at the HTTP edge', () => {
  let h: Harness;
  let started: number;
  beforeAll(async () => {
    h = await startHarness({ apiToken: TOKEN });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    started = Date.now() - 1000;
  });
  afterEach(() => {
    expect(bigNewTempFiles(started, UPLOAD_BYTES)).toEqual([]);
  });

  const errorOf = (text: string) => (JSON.parse(text) as { error: { code: string; message: string } }).error;

  it.each([
    ['POST', '/api/messages'],
    ['GET', '/healthz'],
    ['GET', '/api/orders'],
    ['GET', '/api/orders/OS-2026-000001'],
  ])('refuses a multipart upload to %s %s with 415 and writes nothing to disk', async (method, path) => {
    const { body, contentType } = multipartBody(UPLOAD_BYTES);
    const answer = await rawRequest(`${h.baseUrl}${path}`, {
      method,
      body,
      headers: { 'content-type': contentType, 'content-length': String(body.length), authorization: `Bearer ${TOKEN}` },
    });
    expect(answer.status).toBe(415);
    expect(errorOf(answer.text)).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringMatching(/no acepta|solo acepta contenido JSON/),
    });
  });

  it('refuses a JSON body declared over the limit with 413 before reading it', async () => {
    const answer = await rawRequest(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
    });
    expect(answer.status).toBe(413);
    expect(errorOf(answer.text)).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/demasiado grande/),
    });
  });

  it('refuses a chunked JSON body that grows over the limit with 413', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const answer = await rawRequest(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      body: Array.from({ length: 8 }, () => chunk),
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    expect(answer.status).toBe(413);
  });

  it.each([
    ['text/plain', {}],
    ['application/x-www-form-urlencoded', {}],
    ['application/json', { 'content-encoding': 'gzip' }],
  ])('refuses %s %j on the bot endpoint with 415', async (contentType, extra) => {
    const answer = await rawRequest(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      body: 'type=message',
      headers: { 'content-type': contentType, ...extra },
    });
    expect(answer.status).toBe(415);
    expect(errorOf(answer.text).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body that is not JSON with 400', async () => {
    const answer = await rawRequest(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      body: '{"type":',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(answer.status).toBe(400);
    expect(errorOf(answer.text)).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/JSON/) });
  });

  it('still serves a GET without a body', async () => {
    expect((await rawRequest(`${h.baseUrl}/healthz`)).status).toBe(200);
  });
});
