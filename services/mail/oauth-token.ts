import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/** A token as the identity provider issued it. */
export interface IssuedToken {
  accessToken: string;
  expiresOn: Date;
}

/** One round trip to the identity provider; `fresh` bypasses any cache of the library. */
export type TokenAcquirer = (fresh: boolean) => Promise<IssuedToken>;

export interface ClientCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. https://outlook.office365.com/.default */
  scope: string;
  /** Overrides https://login.microsoftonline.com/<tenant>; its host is then trusted as is. */
  authority?: string;
  /** Extra CA certificates (PEM) for the authority's TLS, e.g. a local test endpoint. */
  tlsCa?: string;
}

/**
 * The client-credentials flow through msal-node. With an overridden authority, its host is
 * a known authority, so msal skips Microsoft's instance discovery and asks only that host.
 */
export function msalAcquirer(creds: ClientCredentials): TokenAcquirer {
  const authority = creds.authority ?? `https://login.microsoftonline.com/${encodeURIComponent(creds.tenantId)}`;
  const config: Configuration = {
    auth: {
      clientId: creds.clientId,
      clientSecret: creds.clientSecret,
      authority,
      ...(creds.authority ? { knownAuthorities: [new URL(authority).host] } : {}),
    },
    system: creds.tlsCa ? { customAgentOptions: { ca: creds.tlsCa } } : {},
  };
  const app = new ConfidentialClientApplication(config);
  return async (fresh) => {
    const result = await app.acquireTokenByClientCredential({ scopes: [creds.scope], skipCache: fresh });
    if (!result?.accessToken || !result.expiresOn) throw new Error('identity provider answered without a token');
    return { accessToken: result.accessToken, expiresOn: result.expiresOn };
  };
}

/**
 * Gives the current access token. `refresh`: the server just refused the one it was given
 * (revoked before its time), so get a new one rather than the cached one.
 */
export type AccessTokenSource = (options?: { refresh?: boolean }) => Promise<string>;

/** Forced refreshes closer together than this share one new token (several connections refused at once). */
const REFRESH_COALESCE_MS = 5_000;

export interface TokenProviderOptions {
  acquire: TokenAcquirer;
  /** Renew this long before expiry (default 5 min), capped at half the token's lifetime. */
  renewBeforeMs?: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * Caches the access token and renews it before it expires, so IMAP and SMTP logins never
 * present a token that lapses mid-handshake. Concurrent callers share one request. A failure
 * is an UPSTREAM AppError (the poller and the outbox pause and retry on UPSTREAM).
 */
export function createTokenProvider(options: TokenProviderOptions): AccessTokenSource {
  const now = options.now ?? Date.now;
  const margin = options.renewBeforeMs ?? 5 * 60_000;
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const fresh = cached !== undefined; // a cached token exists but is due: bypass msal's cache
    try {
      const issued = await options.acquire(fresh);
      const issuedAt = now();
      const lifetime = issued.expiresOn.getTime() - issuedAt;
      cached = {
        token: issued.accessToken,
        renewAt: issuedAt + Math.max(0, lifetime - Math.min(margin, lifetime / 2)),
      };
      options.logger?.info({ expiresOn: issued.expiresOn }, 'mail access token obtained');
      return issued.accessToken;
    } catch (error) {
      throw new AppError(
        'UPSTREAM',
        `mail access token: ${error instanceof Error ? error.message : String(error)}`,
        'No fue posible obtener el token de acceso al correo.',
        {},
        { cause: error },
      );
    }
  };
  let forcedAt = -Infinity;
  return async ({ refresh = false } = {}) => {
    if (refresh && now() - forcedAt >= REFRESH_COALESCE_MS && cached) {
      forcedAt = now();
      cached = { ...cached, renewAt: -Infinity };
      options.logger?.warn('mail access token refused by the server; getting a new one');
    }
    if (cached && now() < cached.renewAt) return cached.token;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
