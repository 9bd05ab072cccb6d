import { randomBytes } from 'node:crypto';
import { signToken, verifyToken } from '../links/signed-token';

/** How a session was opened; the page says so when it is the local sign-in. */
export type SignInMode = 'local' | 'oidc' | 'teams';

export interface DeskSession {
  personId: string;
  /** Sent back by the page in `X-CSRF-Token` on every state-changing call. */
  csrf: string;
  mode: SignInMode;
}

export const SESSION_COOKIE = 'mesa_session';
const PURPOSE = 'desk-session';
/** A working day: long enough not to interrupt a shift, short enough that a lost laptop's session dies. */
export const SESSION_TTL_MS = 10 * 3600_000;

/**
 * What to tell at start when no session key is configured: sessions are then signed with a
 * key made by this process, so every Mesa sign-in ends when it restarts, and a session opened
 * on one instance is refused by the others.
 */
export function sessionSecretWarning(secret: string | undefined): string | undefined {
  if (secret) return undefined;
  return 'DESK_SESSION_SECRET is not set: Mesa signs sessions with a key made at start, so every browser session ends when the service restarts, and with several instances a session opened on one is refused by the others; set the same DESK_SESSION_SECRET (at least 32 characters) on every instance';
}

/**
 * Mesa's sessions: a signed, expiring cookie naming the person, so any instance sharing the
 * key accepts it without a lookup. The cookie alone never changes anything: the CSRF value
 * it carries must come back in a header, which another site cannot send.
 */
export class DeskSessions {
  readonly secret: string;

  constructor(secret?: string) {
    this.secret = secret ?? randomBytes(32).toString('base64url');
  }

  open(personId: string, mode: SignInMode, now = Date.now()): { cookie: string; session: DeskSession } {
    const csrf = randomBytes(18).toString('base64url');
    const token = signToken(this.secret, {
      purpose: PURPOSE,
      subject: personId,
      data: { csrf, mode },
      ttlMs: SESSION_TTL_MS,
      now,
    });
    return { cookie: token, session: { personId, csrf, mode } };
  }

  read(cookieHeader: string | undefined, now = Date.now()): DeskSession | null {
    const token = cookieValue(cookieHeader, SESSION_COOKIE);
    if (!token) return null;
    const verified = verifyToken(this.secret, token, PURPOSE, now);
    if (!verified.ok) return null;
    const { subject, data } = verified.claims;
    const mode = data?.mode;
    if (!data?.csrf || (mode !== 'local' && mode !== 'oidc' && mode !== 'teams')) return null;
    return { personId: subject, csrf: data.csrf, mode };
  }
}

/** The value of cookie `name` in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A `Set-Cookie` value scoped to /desk, out of reach of scripts and of other sites' requests. */
export function sessionCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/desk',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
