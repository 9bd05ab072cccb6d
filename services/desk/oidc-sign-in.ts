import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { signToken, verifyToken } from '../links/signed-token';
import type { DeskAuthDeps } from './desk-auth';
import { EntraTokenVerifier, personOfClaims } from './entra-tokens';
import { cookieValue, sessionCookie, SESSION_COOKIE, SESSION_TTL_MS } from './sessions';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** PUBLIC_BASE_URL; unset: the address the browser used (the provider still checks it is registered). */
  publicBaseUrl?: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

const FLOW_COOKIE = 'mesa_oidc';
const FLOW_PURPOSE = 'desk-oidc';
/** Time allowed between leaving for the identity provider and coming back. */
const FLOW_TTL_MS = 10 * 60_000;

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * Browser sign-in by OpenID Connect (authorization code with PKCE, confidential client).
 * What the round trip needs (state, nonce, code verifier) travels in a short-lived signed
 * cookie, so any instance can finish a sign-in another started. The ID token is checked by
 * the same verifier as Teams SSO tokens (keys, issuer, audience, tenant), plus its nonce.
 */
export function registerOidcSignIn(
  server: Server,
  deps: {
    settings: OidcSettings;
    verifier: EntraTokenVerifier;
    auth: DeskAuthDeps;
    secureCookies: boolean;
    logger: Logger;
  },
): void {
  const { settings } = deps;
  let discovery: Promise<Discovery> | undefined;
  const discover = () => {
    discovery ??= fetch(`${settings.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) })
      .then(async (res) => {
        if (!res.ok) throw new Error(`discovery answered ${res.status}`);
        const doc = (await res.json()) as Discovery;
        if (doc.issuer.replace(/\/+$/, '') !== settings.issuer) throw new Error(`discovery names issuer ${doc.issuer}`);
        return doc;
      })
      .catch((error: unknown) => {
        discovery = undefined;
        throw new AppError(
          'UPSTREAM',
          `OpenID discovery failed: ${String(error)}`,
          'No se pudo contactar al servicio de inicio de sesión.',
        );
      });
    return discovery;
  };
  const redirectUri = (req: Request) =>
    `${settings.publicBaseUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`}/desk/auth/callback`;
  const failed = (res: Response, why: string) => {
    deps.logger.warn({ why }, 'desk OpenID sign-in refused');
    res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><html lang="es-MX"><meta charset="utf-8"><title>Mesa</title><p>No se pudo iniciar sesión. <a href="/desk/auth/sign-in">Intentar de nuevo</a>.</p></html>',
    );
  };

  server.get('/desk/auth/sign-in', async (req: Request, res: Response) => {
    try {
      const doc = await discover();
      const flow = {
        state: base64url(randomBytes(16)),
        nonce: base64url(randomBytes(16)),
        verifier: base64url(randomBytes(32)),
      };
      const token = signToken(deps.auth.sessions.secret, {
        purpose: FLOW_PURPOSE,
        subject: flow.state,
        data: flow,
        ttlMs: FLOW_TTL_MS,
      });
      const url = new URL(doc.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: redirectUri(req),
        scope: 'openid profile email',
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: base64url(createHash('sha256').update(flow.verifier).digest()),
        code_challenge_method: 'S256',
      }).toString();
      res.setHeader('Set-Cookie', sessionCookie(FLOW_COOKIE, token, FLOW_TTL_MS / 1000, deps.secureCookies));
      res.writeHead(302, { Location: url.toString() });
      res.end();
    } catch (error) {
      failed(res, String(error));
    }
  });

  server.get('/desk/auth/callback', async (req: Request, res: Response) => {
    try {
      const query = (req.query ?? {}) as Record<string, unknown>;
      const flowToken = cookieValue(req.headers.cookie, FLOW_COOKIE);
      const flow = flowToken ? verifyToken(deps.auth.sessions.secret, flowToken, FLOW_PURPOSE) : undefined;
      if (!flow?.ok) return failed(res, 'no sign-in under way');
      const data = flow.claims.data ?? {};
      if (typeof query.state !== 'string' || query.state !== data.state) return failed(res, 'state mismatch');
      if (typeof query.code !== 'string') return failed(res, `no code (${String(query.error ?? '')})`);
      const doc = await discover();
      const answer = await fetch(doc.token_endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: query.code,
          redirect_uri: redirectUri(req),
          code_verifier: data.verifier ?? '',
          client_id: settings.clientId,
          client_secret: settings.clientSecret,
        }),
        signal: AbortSignal.timeout(5000),
      });
      const tokens = (await answer.json().catch(() => ({}))) as { id_token?: string; error?: string };
      if (!answer.ok || !tokens.id_token) return failed(res, `token endpoint: ${tokens.error ?? answer.status}`);
      const claims = await deps.verifier.verify(tokens.id_token, { nonce: data.nonce });
      const person = await personOfClaims(deps.auth.directory, claims);
      const { cookie } = deps.auth.sessions.open(person.id, 'oidc');
      res.setHeader('Set-Cookie', [
        sessionCookie(SESSION_COOKIE, cookie, SESSION_TTL_MS / 1000, deps.secureCookies),
        sessionCookie(FLOW_COOKIE, '', 0, deps.secureCookies),
      ]);
      deps.logger.info({ personId: person.id }, 'desk OpenID sign-in');
      res.writeHead(302, { Location: '/desk/' });
      res.end();
    } catch (error) {
      failed(res, AppError.is(error) ? error.message : String(error));
    }
  });
}
