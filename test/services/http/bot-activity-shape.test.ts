import { guardLoopbackOnly } from '../../support/loopback-only';
import { Harness, recordingLogger, startHarness } from './harness';
import { rawRequest } from './raw-request';
import { startRecordingServer } from './recording-server';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function validActivity(serviceUrl: string): Record<string, Json> {
  return {
    type: 'message',
    id: 'act-valid',
    text: 'ayuda',
    channelId: 'msteams',
    serviceUrl,
    locale: 'es-MX',
    timestamp: new Date().toISOString(),
    from: { id: '29:user-ana', name: 'Ana Solicitante', aadObjectId: 'aad-ana' },
    recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: 'a:conv-fuzz', conversationType: 'personal', tenantId: 'tenant-cjf' },
    attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1/x.png', name: 'x.png' }],
    membersAdded: [{ id: '29:user-ana', name: 'Ana' }],
    entities: [{ type: 'clientInfo', locale: 'es-MX' }],
    channelData: { tenant: { id: 'tenant-cjf' } },
  };
}

/** Where a field lives, what type it must have, and whether the bot needs it. */
const FIELDS: Array<{
  path: Array<string | number>;
  kind: 'string' | 'object' | 'array' | 'record';
  required: boolean;
}> = [
  { path: ['type'], kind: 'string', required: true },
  { path: ['id'], kind: 'string', required: false },
  { path: ['serviceUrl'], kind: 'string', required: true },
  { path: ['channelId'], kind: 'string', required: true },
  { path: ['text'], kind: 'string', required: false },
  { path: ['locale'], kind: 'string', required: false },
  { path: ['timestamp'], kind: 'string', required: false },
  { path: ['from'], kind: 'object', required: true },
  { path: ['from', 'id'], kind: 'string', required: true },
  { path: ['from', 'name'], kind: 'string', required: false },
  { path: ['from', 'aadObjectId'], kind: 'string', required: false },
  { path: ['recipient'], kind: 'object', required: true },
  { path: ['recipient', 'id'], kind: 'string', required: true },
  { path: ['conversation'], kind: 'object', required: true },
  { path: ['conversation', 'id'], kind: 'string', required: true },
  { path: ['conversation', 'tenantId'], kind: 'string', required: false },
  { path: ['attachments'], kind: 'array', required: false },
  { path: ['attachments', 0], kind: 'object', required: false },
  { path: ['attachments', 0, 'contentType'], kind: 'string', required: true },
  { path: ['attachments', 0, 'name'], kind: 'string', required: false },
  { path: ['membersAdded'], kind: 'array', required: false },
  { path: ['membersAdded', 0], kind: 'object', required: false },
  { path: ['membersAdded', 0, 'id'], kind: 'string', required: true },
  { path: ['entities'], kind: 'array', required: false },
  { path: ['entities', 0], kind: 'object', required: false },
  { path: ['channelData'], kind: 'record', required: false },
];

/** Values of every JSON type; those not of a field's kind make it malformed. */
const VALUES: Json[] = [
  42,
  -1.5,
  0,
  true,
  false,
  'texto',
  '',
  [],
  [1, 'a'],
  [{ id: 5 }],
  {},
  { id: 7 },
  { nested: { deep: [null] } },
];

function fitsKind(value: Json, kind: string): boolean {
  if (kind === 'string') return typeof value === 'string';
  if (kind === 'array') return Array.isArray(value);
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Mulberry32: a small seeded generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function setAt(target: Record<string, Json>, path: Array<string | number>, value: Json | undefined): void {
  let node = target as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** `count` activities, each with one to three fields made malformed (wrong type, or missing when required). */
function malformedActivities(serviceUrl: string, count: number, seed: number): Array<{ label: string; body: Json }> {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const cases: Array<{ label: string; body: Json }> = [];
  while (cases.length < count) {
    const activity = validActivity(serviceUrl);
    const labels: string[] = [];
    const broken = 1 + Math.floor(next() * 3);
    for (let i = 0; i < broken; i++) {
      const field = pick(FIELDS);
      const missing = field.required && next() < 0.3;
      const value = missing ? undefined : pick(VALUES.filter((v) => !fitsKind(v, field.kind)));
      try {
        setAt(activity, field.path, value);
        labels.push(`${field.path.join('.')}=${missing ? '(missing)' : JSON.stringify(value)}`);
      } catch {
        /* a parent was already broken into a non-object: this mutation does not apply */
      }
    }
    if (labels.length > 0) cases.push({ label: labels.join(' '), body: activity });
  }
  return cases;
}

describe('POST /api/messages with a malformed activity', () => {
  const network = guardLoopbackOnly();
  const log = recordingLogger('debug');
  let h: Harness;
  let connector: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    connector = await startRecordingServer();
    h = await startHarness({ logger: log.logger });
  });
  afterAll(async () => {
    await h?.close();
    await connector?.close();
    network.restore();
  });

  const post = (body: unknown) =>
    rawRequest(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  it.each([
    ['an empty object', {}],
    ['an array', []],
    ['a number', 42],
    ['a string', 'hola'],
    ['null', null],
  ])('answers 400 with the reason to %s', async (_what, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: { code: 'VALIDATION', message: expect.stringMatching(/actividad/) },
    });
  });

  it.each([
    ['text as a number', { text: 42 }, 'text'],
    ['attachments as a string', { attachments: 'x' }, 'attachments'],
    ['membersAdded as an object', { membersAdded: { id: '29:a' } }, 'membersAdded'],
    ['a member without an id', { type: 'conversationUpdate', membersAdded: [{ name: 'Ana' }] }, 'membersAdded.0.id'],
  ])('names the field when %s', async (_what, change, field) => {
    const answer = await post({ ...validActivity(connector.url), ...change });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: { code: 'VALIDATION', field, message: expect.stringContaining(`«${field}»`) },
    });
  });

  it('answers 400 to an activity without a serviceUrl at once, calling nobody', async () => {
    const { serviceUrl: _omitted, ...withoutServiceUrl } = validActivity(connector.url);
    const started = Date.now();
    const answer = await post(withoutServiceUrl);
    expect(answer.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(network.attempts).toEqual([]);
  });

  it('answers 400, never 5xx, to 300 generated malformed activities, and none reaches the bot', async () => {
    const before = connector.requests.length;
    const firstLine = log.lines.length;
    const statuses = new Map<number, string[]>();
    for (const { label, body } of malformedActivities(connector.url, 300, 20261202)) {
      const answer = await post(body);
      statuses.set(answer.status, [...(statuses.get(answer.status) ?? []), label]);
      if (answer.status === 400)
        expect((JSON.parse(answer.text) as { error: { field?: string } }).error.field).toBeTruthy();
    }
    expect([...statuses.keys()]).toEqual([400]);
    expect(connector.requests.length).toBe(before);
    expect(await h.tdb.db.collection('conversationRefs').countDocuments()).toBe(0);
    expect(log.lines.slice(firstLine).filter((l) => l.level >= 50)).toEqual([]);
    expect(network.attempts).toEqual([]);
  }, 120_000);

  it('still serves a well-formed activity with fields it does not know', async () => {
    const answer = await post({ ...validActivity(connector.url), id: 'act-extra', futureField: { anything: [1, 2] } });
    expect(answer.status).toBe(200);
    expect(connector.requests.some((r) => r.method === 'POST' && r.path.includes('/activities'))).toBe(true);
  });
});
