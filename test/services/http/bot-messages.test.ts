import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConversationRefDoc } from '../../../bot/conversation-refs';
import type { ServiceOrder } from '../../../services/orders/types';
import { guardLoopbackOnly } from '../../support/loopback-only';
import { Harness, makeOrder, startHarness } from './harness';

/** Stand-in for the Bot Connector: records what the bot posts to conversations. */
async function startConnector(): Promise<{
  url: string;
  posts: Array<{ path: string; body: { text?: string } }>;
  close(): Promise<void>;
}> {
  const posts: Array<{ path: string; body: { text?: string } }> = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      if (req.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities/.test(req.url ?? ''))
        posts.push({ path: req.url ?? '', body: JSON.parse(data) });
      // restify patches http.ServerResponse in this process: writeHead does not return `res`.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${posts.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    posts,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function activity(serviceUrl: string, text: string, id = 'act-1') {
  return {
    type: 'message',
    id,
    text,
    channelId: 'msteams',
    serviceUrl,
    locale: 'es-MX',
    timestamp: new Date().toISOString(),
    from: { id: '29:user-ana', name: 'Ana Solicitante', aadObjectId: 'aad-ana' },
    recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: 'a:conv-ana', conversationType: 'personal', tenantId: 'tenant-cjf' },
  };
}

/** Stand-in for the Bot Framework OpenID metadata: publishes one genuine RSA key, kid "k1". */
async function startOpenIdStandIn(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid: 'k1',
    use: 'sig',
    alg: 'RS256',
    endorsements: ['msteams'],
  };
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const port = (server.address() as AddressInfo).port;
    const body =
      req.url === '/keys'
        ? { keys: [jwk] }
        : { issuer: 'https://api.botframework.com', jwks_uri: `http://127.0.0.1:${port}/keys` };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A well-formed RS256 token for the app, claiming key "k1" but signed with another key. */
function forgedRs256Token(appId: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${part({ iss: 'https://api.botframework.com', aud: appId, nbf: now - 60, exp: now + 3600, serviceurl: 'http://127.0.0.1/' })}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('POST /api/messages', () => {
  const network = guardLoopbackOnly();
  let connector: Awaited<ReturnType<typeof startConnector>>;
  beforeAll(async () => {
    connector = await startConnector();
  });
  afterAll(async () => {
    await connector?.close();
    network.restore();
  });
  afterEach(() => {
    expect(network.attempts).toEqual([]);
  });

  describe('without MicrosoftAppId (local emulator)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
      await h.tdb.db.collection<ServiceOrder>('orders').insertOne(makeOrder(123, { status: 'diagnosis' }));
      // The order's requester: only the people on an order may read its state.
      await h.tdb.db.collection<{ _id: string; [field: string]: unknown }>('people').insertOne({
        _id: 'ana',
        name: 'Ana Solicitante',
        email: 'ana@cjf.example.mx',
        aadObjectId: 'aad-ana',
        roles: ['requester'],
        centreIds: ['cjpf-cdmx'],
      });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('replies through the activity serviceUrl and stores the conversation reference', async () => {
      const res = await post(h.baseUrl, activity(connector.url, 'hola'));
      expect(res.status).toBe(200);
      expect(connector.posts.at(-1)?.path).toMatch(/^\/v3\/conversations\/a%3Aconv-ana\/activities/);
      expect(connector.posts.at(-1)?.body.text).toMatch(/Mesa de Servicio/);
      const ref = await h.tdb.db.collection<ConversationRefDoc>('conversationRefs').findOne({ _id: 'aad-ana' });
      expect(ref).toMatchObject({
        userId: '29:user-ana',
        serviceUrl: connector.url,
        conversationId: 'a:conv-ana',
        tenantId: 'tenant-cjf',
      });
    });

    it.each([
      ['ayuda', /Puedo ayudarte/],
      ['estado OS-2026-000123', /OS-2026-000123 está en estado: \*\*En diagnóstico\*\*/],
      ['Estado os-2026-000123', /En diagnóstico/],
      ['estado OS-2026-999999', /No encontré la orden OS-2026-999999/],
      ['estado 123', /debe tener la forma/],
      ['buenos días', /Escribe \*\*ayuda\*\*/],
    ])('answers %j in Spanish', async (text, expected) => {
      const before = connector.posts.length;
      expect((await post(h.baseUrl, activity(connector.url, text, `act-${text}`))).status).toBe(200);
      expect(connector.posts).toHaveLength(before + 1);
      expect(connector.posts.at(-1)?.body.text).toMatch(expected);
    });
  });

  describe('with MicrosoftAppId set', () => {
    const appId = '11111111-2222-3333-4444-555555555555';
    let h: Harness;
    let openId: Awaited<ReturnType<typeof startOpenIdStandIn>>;
    beforeAll(async () => {
      openId = await startOpenIdStandIn();
      h = await startHarness({
        bot: { appId, appPassword: 'not-a-real-secret', appType: 'MultiTenant' },
        openIdMetadataUrl: openId.url,
      });
    });
    afterAll(async () => {
      await h?.close();
      await openId?.close();
    });

    it('answers 401 when botbuilder finds the signature of a well-formed token wrong', async () => {
      const before = connector.posts.length;
      const res = await post(h.baseUrl, activity(connector.url, 'ayuda'), {
        authorization: `Bearer ${forgedRs256Token(appId)}`,
      });
      expect(res.status).toBe(401);
      // botbuilder really looked the key up (on the loopback stand-in) and rejected the signature.
      expect(openId.requests).toEqual(expect.arrayContaining(['/metadata', '/keys']));
      expect(connector.posts).toHaveLength(before);
      expect(await h.tdb.db.collection('conversationRefs').countDocuments()).toBe(0);
    });

    it('answers 401 to a request without a token and runs no turn', async () => {
      const before = connector.posts.length;
      const res = await post(h.baseUrl, activity(connector.url, 'ayuda'));
      expect(res.status).toBe(401);
      expect(connector.posts).toHaveLength(before);
      expect(await h.tdb.db.collection('conversationRefs').countDocuments()).toBe(0);
    });

    it('answers 401 to a forged unsigned token without any outbound request', async () => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const forged = `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: 'https://api.botframework.com', aud: '11111111-2222-3333-4444-555555555555', exp: 4_000_000_000 })}.`;
      for (const token of [forged, `${forged}x`]) {
        const res = await post(h.baseUrl, activity(connector.url, 'ayuda'), { authorization: `Bearer ${token}` });
        expect(res.status).toBe(401);
      }
      expect(await h.tdb.db.collection('conversationRefs').countDocuments()).toBe(0);
    });
  });
});
