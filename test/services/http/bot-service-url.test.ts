import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardLoopbackOnly } from '../../support/loopback-only';
import { serviceUrlPolicy } from '../../../bot/service-urls';
import { Harness, startHarness } from './harness';
import { rawRequest } from './raw-request';
import { startRecordingServer } from './recording-server';

function activity(serviceUrl: string, text: string, id: string) {
  return {
    type: 'message',
    id,
    text,
    channelId: 'msteams',
    serviceUrl,
    locale: 'es-MX',
    from: { id: '29:stranger', name: 'Alguien', aadObjectId: 'aad-not-in-directory' },
    recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: 'a:conv-stranger', conversationType: 'personal', tenantId: 'tenant-cjf' },
  };
}

/**
 * Stand-in for the Bot Framework's OpenID metadata with a key this test holds, so it can
 * mint tokens botbuilder accepts as genuine (as the real service would for a real activity).
 */
async function startTokenIssuer(): Promise<{
  url: string;
  sign(appId: string, serviceUrl: string): string;
  close(): Promise<void>;
}> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid: 'k1',
    use: 'sig',
    alg: 'RS256',
    endorsements: ['msteams'],
  };
  const server = createServer((req, res) => {
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
    sign(appId, serviceUrl) {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${part({ iss: 'https://api.botframework.com', aud: appId, nbf: now - 60, exp: now + 3600, serviceurl: serviceUrl })}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('serviceUrl policy', () => {
  it.each([
    [{}, 'http://127.0.0.1:4000/_connector', true],
    [{}, 'http://localhost:4000/', true],
    [{}, 'http://[::1]:4000/', true],
    [{}, 'https://smba.trafficmanager.net/amer/', false],
    [{}, 'http://10.0.0.5:4000/', false],
    [{}, 'http://user:pw@127.0.0.1:4000/', false],
    [{}, 'not a url', false],
    [{ appId: 'app' }, 'https://smba.trafficmanager.net/amer/', true],
    [{ appId: 'app' }, 'https://smba.trafficmanager.net.evil.example/amer/', false],
    [{ appId: 'app' }, 'http://smba.trafficmanager.net/amer/', false],
    [{ appId: 'app' }, 'http://127.0.0.1:4000/', false],
    [
      { serviceUrls: ['https://smba.infra.gcc.teams.microsoft.com/gcc/'] },
      'https://smba.infra.gcc.teams.microsoft.com/gcc/x/',
      true,
    ],
    [
      { serviceUrls: ['https://smba.infra.gcc.teams.microsoft.com/gcc/'] },
      'https://smba.infra.gcc.teams.microsoft.com/gccx/',
      false,
    ],
    [{ serviceUrls: ['http://127.0.0.1:4000/'] }, 'http://127.0.0.1:4001/', false],
  ])('with %j allows %s: %s', (options, url, expected) => {
    expect(serviceUrlPolicy(options).allows(url)).toBe(expected);
  });
});

describe('POST /api/messages naming a connector the deployment did not name', () => {
  const network = guardLoopbackOnly();
  let connector: Awaited<ReturnType<typeof startRecordingServer>>;
  let hostile: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    connector = await startRecordingServer();
    // Claims the sender is an analyst of the directory, to be believed if asked.
    hostile = await startRecordingServer({
      id: '29:stranger',
      name: 'Ana López',
      email: 'ana.lopez@cjf.example.mx',
      userPrincipalName: 'ana.lopez@cjf.example.mx',
    });
  });
  afterAll(async () => {
    await connector?.close();
    await hostile?.close();
    network.restore();
  });
  afterEach(() => {
    expect(hostile.requests).toEqual([]);
    expect(network.attempts).toEqual([]);
  });

  const post = (h: Harness, body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });

  describe('without an app id (local emulator mode)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    it.each(['https://smba.trafficmanager.net/amer/', 'https://attacker.example/', 'http://10.1.2.3:8080/'])(
      'refuses %s with 403 before any outbound call',
      async (serviceUrl) => {
        const answer = await post(h, activity(serviceUrl, 'pendientes', `act-${serviceUrl}`));
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.text)).toMatchObject({
          error: { code: 'FORBIDDEN', message: expect.stringMatching(/no autorizado/) },
        });
        expect(await h.tdb.db.collection('conversationRefs').countDocuments()).toBe(0);
      },
    );
  });

  describe('with BOT_SERVICE_URLS naming one loopback connector', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ bot: { serviceUrls: [connector.url] } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('never calls, nor asks who the sender is at, another address, even on loopback', async () => {
      const answer = await post(h, activity(hostile.url, 'pendientes', 'act-hostile'));
      expect(answer.status).toBe(403);
      expect(await h.tdb.db.collection('conversationRefs').countDocuments()).toBe(0);
    });

    it('serves the connector it names', async () => {
      const answer = await post(h, activity(connector.url, 'ayuda', 'act-named'));
      expect(answer.status).toBe(200);
      expect(connector.requests.some((r) => r.method === 'POST' && r.path.includes('/activities'))).toBe(true);
    });
  });

  describe('with an app id (production)', () => {
    const appId = '11111111-2222-3333-4444-555555555555';
    let h: Harness;
    let issuer: Awaited<ReturnType<typeof startTokenIssuer>>;
    beforeAll(async () => {
      issuer = await startTokenIssuer();
      h = await startHarness({
        bot: { appId, appPassword: 'not-a-real-secret', appType: 'MultiTenant' },
        openIdMetadataUrl: issuer.url,
      });
    });
    afterAll(async () => {
      await h?.close();
      await issuer?.close();
    });

    it('refuses with 403 a genuinely signed activity whose serviceUrl is outside the Teams service', async () => {
      const answer = await post(h, activity(hostile.url, 'pendientes', 'act-prod'), {
        authorization: `Bearer ${issuer.sign(appId, hostile.url)}`,
      });
      expect(answer.status).toBe(403);
      expect(await h.tdb.db.collection('conversationRefs').countDocuments()).toBe(0);
    });
  });
});
