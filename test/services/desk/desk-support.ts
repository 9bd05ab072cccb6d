import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import pino from 'pino';
import { loadConfig } from '../../../services/config';
import { RunningService, startService } from '../../../services';
import type { ServiceOrder } from '../../../services/orders/types';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { makeOrder } from '../http/harness';

export const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
export const TENANT = '11111111-2222-3333-4444-555555555555';
export const CLIENT = '66666666-7777-8888-9999-000000000000';

/** The whole service (`npm start`) on a free loopback port, over a fresh test database, with the example directory. */
export async function startDesk(env: Record<string, string> = {}): Promise<{
  service: RunningService;
  base: string;
  tdb: TestDatabase;
  close(): Promise<void>;
}> {
  const tdb = await openTestDatabase();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MONGODB_URI: tdb.uri.replace(/\/(\?|$)/, `/${tdb.dbName}$1`),
    CEDULA_SECRET: 'desk-test-cedula-secret-0123456789abcdef',
    LOG_LEVEL: 'silent',
    NOTIFY_DIGEST_SECONDS: '0',
    ...env,
  });
  const service = await startService(config, silent);
  return {
    service,
    base: `http://127.0.0.1:${service.port}`,
    tdb,
    async close() {
      await service.stop();
      await tdb.close().catch(() => undefined);
    },
  };
}

/** An order reported by Fernando (requester) in CJPF-CDMX, stored as the report use case leaves it. */
export async function seedOrder(
  tdb: TestDatabase,
  seq: number,
  overrides: Partial<ServiceOrder> = {},
): Promise<ServiceOrder> {
  const order = makeOrder(seq, {
    requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz Delgado', email: 'fernando.ruiz@cjf.example.mx' },
    centreId: 'CJPF-CDMX',
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  });
  await tdb.db.collection('orders').insertOne(order);
  return order;
}

/** A signed-in browser-like client: session cookie plus the CSRF value from /me. */
export interface Client {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export async function signInLocally(base: string, personId: string): Promise<Client> {
  const res = await fetch(`${base}/desk/api/local/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ personId }),
  });
  if (res.status !== 200) throw new Error(`local sign-in ${res.status}: ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const me = (await (await fetch(`${base}/desk/api/me`, { headers: { cookie } })).json()) as { csrf: string };
  return {
    cookie,
    csrf: me.csrf,
    get: (path) => fetch(`${base}${path}`, { headers: { cookie } }),
    post: (path, body, headers = { 'X-CSRF-Token': me.csrf }) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { cookie, 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
  };
}

/** A local stand-in for Entra ID's published keys: a JWKS on loopback, with keys made here. */
export async function startJwks(): Promise<{
  url: string;
  sign(
    claims: Record<string, unknown>,
    options?: { expiresIn?: string | number; foreignKey?: boolean },
  ): Promise<string>;
  close(): Promise<void>;
}> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'desk-test-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/keys`,
    async sign(claims, options = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'desk-test-key' })
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(options.foreignKey ? foreign.privateKey : privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
