import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A loopback stand-in for the identity provider: token endpoint (HTTPS) and introspection (HTTP). */
export interface OAuthStandIn {
  /** Authority for msal: https://127.0.0.1:<port>/<tenant>. */
  authority: string;
  /** PEM certificate the token endpoint presents (self-signed for 127.0.0.1). */
  ca: string;
  /** Dovecot's introspection_url. */
  introspectionUrl: string;
  /** Tokens issued so far, oldest first. */
  issued: Array<{ token: string; expiresAt: number }>;
  /** Token requests received (each client-credentials grant). */
  tokenRequests: number;
  /** Introspection requests received, with the token presented. */
  introspected: string[];
  /** Issues a token outside the flow (e.g. an already expired one). */
  mint(lifetimeMs: number): string;
  /** Revokes a token: introspection answers it inactive from now on, whatever its expiry. */
  revoke(token: string): void;
  stop(): Promise<void>;
}

export interface OAuthStandInOptions {
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** The mailbox a valid token signs in as (answered as `email`). */
  username: string;
  /** Lifetime of issued tokens in seconds. */
  lifetimeSeconds: number;
}

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};
const listen = (server: Server) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

/** Starts both endpoints on free loopback ports. Needs `openssl` for the certificate. */
export async function startOAuthStandIn(o: OAuthStandInOptions): Promise<OAuthStandIn> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-standin-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const tokens = new Map<string, number>();
    const state: Pick<OAuthStandIn, 'issued' | 'tokenRequests' | 'introspected'> = {
      issued: [],
      tokenRequests: 0,
      introspected: [],
    };
    const mint = (lifetimeMs: number) => {
      const token = randomBytes(24).toString('base64url');
      const expiresAt = Date.now() + lifetimeMs;
      tokens.set(token, expiresAt);
      state.issued.push({ token, expiresAt });
      return token;
    };

    let base = '';
    const tokenServer = createHttpsServer({ key, cert }, (req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        const prefix = `/${o.tenant}`;
        if (req.method === 'GET' && url.pathname === `${prefix}/v2.0/.well-known/openid-configuration`) {
          return json(res, 200, {
            token_endpoint: `${base}${prefix}/oauth2/v2.0/token`,
            authorization_endpoint: `${base}${prefix}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${base}${prefix}/oauth2/v2.0/logout`,
            issuer: `${base}${prefix}/v2.0`,
            jwks_uri: `${base}${prefix}/discovery/v2.0/keys`,
          });
        }
        if (req.method === 'POST' && url.pathname === `${prefix}/oauth2/v2.0/token`) {
          const form = new URLSearchParams(await body(req));
          state.tokenRequests += 1;
          if (
            form.get('grant_type') !== 'client_credentials' ||
            form.get('client_id') !== o.clientId ||
            form.get('client_secret') !== o.clientSecret
          ) {
            return json(res, 401, { error: 'invalid_client', error_description: 'bad client credentials' });
          }
          return json(res, 200, {
            token_type: 'Bearer',
            expires_in: o.lifetimeSeconds,
            ext_expires_in: o.lifetimeSeconds,
            access_token: mint(o.lifetimeSeconds * 1000),
          });
        }
        json(res, 404, { error: 'not_found' });
      })().catch(() => json(res, 500, { error: 'server_error' }));
    });
    const introspection = createHttpServer((req, res) => {
      void (async () => {
        const form = new URLSearchParams(await body(req));
        const token = form.get('token') ?? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        state.introspected.push(token);
        const expiresAt = tokens.get(token);
        const active = expiresAt !== undefined && expiresAt > Date.now();
        json(res, 200, active ? { active: true, email: o.username } : { active: false });
      })().catch(() => json(res, 500, { error: 'server_error' }));
    });
    const tokenPort = await listen(tokenServer);
    base = `https://127.0.0.1:${tokenPort}`;
    const introspectionPort = await listen(introspection);
    return Object.assign(state, {
      authority: `${base}/${o.tenant}`,
      ca: cert,
      introspectionUrl: `http://127.0.0.1:${introspectionPort}/introspect`,
      mint,
      revoke: (token: string) => {
        tokens.delete(token);
      },
      stop: async () => {
        for (const s of [tokenServer, introspection]) {
          s.closeAllConnections();
          await new Promise((resolve) => s.close(resolve));
        }
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
