import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring tokens for links that leave the service: a file served to someone who got
 * it in a notice, an action page offered to a provider by mail. The token carries what it
 * grants, so the route needs no lookup to refuse a forged or expired one; single use, where a
 * link needs it, is recorded by the caller under the token's `id`.
 *
 * Keys are derived per purpose from the deployment's secret, so a token minted for one purpose
 * never verifies for another, and the Cédula key is never used directly for links.
 */
export interface TokenClaims {
  /** What the token grants, e.g. 'file' or 'provider-action'. */
  readonly purpose: string;
  /** What it is about, e.g. a file id or an order id. */
  readonly subject: string;
  /** Who it was issued to (a person id or mail address), when the grant is personal. */
  readonly audience?: string;
  /** Extra facts the route needs (e.g. the action), signed with the rest. */
  readonly data?: Readonly<Record<string, string>>;
  /** Expiry, epoch milliseconds. */
  readonly expiresAt: number;
  /** Random id: unguessable even for the same grant twice; key of single-use records. */
  readonly id: string;
}

export type TokenFailure = 'malformed' | 'forged' | 'expired' | 'wrong-purpose';

export type VerifiedToken = { ok: true; claims: TokenClaims } | { ok: false; reason: TokenFailure };

const VERSION = 'v1';

function purposeKey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`cjpf-links/${VERSION}/${purpose}`).digest();
}

function mac(secret: string, purpose: string, body: string): Buffer {
  return createHmac('sha256', purposeKey(secret, purpose)).update(body).digest();
}

export function signToken(
  secret: string,
  claims: Omit<TokenClaims, 'id' | 'expiresAt'> & { ttlMs: number; now?: number },
): string {
  const { ttlMs, now = Date.now(), ...rest } = claims;
  const full: TokenClaims = { ...rest, expiresAt: now + ttlMs, id: randomBytes(12).toString('base64url') };
  const body = Buffer.from(JSON.stringify(full)).toString('base64url');
  return `${VERSION}.${body}.${mac(secret, full.purpose, body).toString('base64url')}`;
}

export function verifyToken(secret: string, token: string, purpose: string, now = Date.now()): VerifiedToken {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, body, signature] = parts as [string, string, string];
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims !== 'object' || claims === null || typeof claims.purpose !== 'string') {
    return { ok: false, reason: 'malformed' };
  }
  // Check under the purpose asked for: a token of another purpose fails as forged here unless
  // it was signed for this one, which only the purpose field can then tell apart.
  const expected = mac(secret, purpose, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: claims.purpose !== purpose ? 'wrong-purpose' : 'forged' };
  }
  if (claims.purpose !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (typeof claims.expiresAt !== 'number' || claims.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/** The Spanish sentence a person reads when a link cannot be used. */
export function tokenFailureMessage(reason: TokenFailure): string {
  switch (reason) {
    case 'expired':
      return 'El enlace ya venció. Pida uno nuevo a la mesa de servicio.';
    case 'malformed':
    case 'forged':
    case 'wrong-purpose':
      return 'El enlace no es válido. Use el enlace completo del correo o pida uno nuevo a la mesa de servicio.';
  }
}
