import helmet from 'helmet';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Next, Request, RequestHandler, Response } from 'restify';
import { refuse } from './respond';

/**
 * The service serves JSON, PDFs and one small page with inline styles and no scripts; the
 * policy allows exactly that. Nothing may frame it (`frame-ancestors 'none'` plus the older
 * X-Frame-Options for browsers without CSP), so the public verification page cannot be
 * dressed in someone else's site.
 */
const DIRECTIVES = {
  'default-src': ["'none'"],
  'style-src': ["'unsafe-inline'"],
  'img-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

type Middleware = (req: Request, res: Response, next: (error?: unknown) => void) => void;

function asRestify(middleware: Middleware): RequestHandler {
  return (req: Request, res: Response, next: Next) =>
    middleware(req, res, (error?: unknown) => (error ? next(error as Error) : next()));
}

/**
 * Headers on every answer: nosniff, no framing, no caching (answers carry names, emails and
 * order details; a shared cache or the browser's back button must not keep them), and the
 * rest of helmet's defaults (HSTS, referrer and cross-origin policies).
 */
export function securityHeaders(): RequestHandler {
  const headers = asRestify(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { ...DIRECTIVES, 'frame-ancestors': ["'none'"] } },
      xFrameOptions: { action: 'deny' },
    }) as Middleware,
  );
  return (req: Request, res: Response, next: Next) => {
    res.setHeader('Cache-Control', 'no-store');
    headers(req, res, next);
  };
}

/**
 * For a route that must be shown inside another site (a Teams tab under /desk/ will name
 * https://teams.microsoft.com and its kin): replaces the global no-framing policy with
 * `frame-ancestors` naming `origins`, and drops X-Frame-Options, which cannot name them.
 */
export function framingAllowedFor(origins: readonly string[]): RequestHandler {
  const csp = asRestify(
    helmet.contentSecurityPolicy({
      useDefaults: false,
      directives: { ...DIRECTIVES, 'frame-ancestors': [...origins] },
    }) as Middleware,
  );
  return (req: Request, res: Response, next: Next) => {
    res.removeHeader('X-Frame-Options');
    csp(req, res, next);
  };
}

/** Requests allowed per client address on public routes, and failed sign-ins on the API. */
export interface RateLimits {
  /** Public routes (/healthz, /cedula/…, /files/…): requests per address per `publicWindowSeconds`. */
  publicRequests: number;
  publicWindowSeconds: number;
  /** Read API: 401 answers per address per `failedAuthWindowSeconds`; past it the address gets 429. */
  failedAuth: number;
  failedAuthWindowSeconds: number;
}

/**
 * Generous for people and monitors (a load balancer probing /healthz every few seconds), tight
 * for anyone enumerating Cédula codes or guessing the API token.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  publicRequests: 60,
  publicWindowSeconds: 60,
  failedAuth: 10,
  failedAuthWindowSeconds: 15 * 60,
};

const TOO_MANY = 'Demasiadas solicitudes desde esta dirección. Espere un momento e inténtelo de nuevo.';

/**
 * The connecting address. Behind a reverse proxy every client shares the proxy's address, so
 * the limits then apply to all of them together (size them for that, or limit at the proxy).
 */
const clientOf = (req: Request) => req.socket.remoteAddress ?? 'unknown';

function tooMany(res: Response, msBeforeNext: number): void {
  refuse(res, 429, 'TOO_MANY_REQUESTS', TOO_MANY, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(msBeforeNext / 1000))) },
  });
}

const isPublic = (path: string) =>
  path === '/healthz' || path.startsWith('/cedula/') || path.startsWith('/provider/') || path.startsWith('/files/');
/** The read API; the bot endpoint is left out: its callers are the Bot Framework's own addresses. */
const isGuardedApi = (path: string) => path.startsWith('/api/') && path !== '/api/messages';

/**
 * One handler, before routing, for every limit: public routes spend a point per request;
 * the read API refuses an address with too many failed sign-ins and counts each 401 it
 * answers. Limits are per process (memory), which is what one instance can enforce.
 */
export function rateLimits(limits: RateLimits = DEFAULT_RATE_LIMITS): RequestHandler {
  const publicLimiter = new RateLimiterMemory({ points: limits.publicRequests, duration: limits.publicWindowSeconds });
  const authLimiter = new RateLimiterMemory({ points: limits.failedAuth, duration: limits.failedAuthWindowSeconds });
  return (req: Request, res: Response, next: Next) => {
    const path = req.getPath();
    const client = clientOf(req);
    if (isPublic(path)) {
      publicLimiter.consume(client).then(
        () => next(),
        (rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) return next(rejection as Error);
          tooMany(res, rejection.msBeforeNext);
          return next(false);
        },
      );
      return;
    }
    if (!isGuardedApi(path)) return next();
    authLimiter.get(client).then(
      (state) => {
        if (state && state.consumedPoints >= limits.failedAuth) {
          tooMany(res, state.msBeforeNext);
          return next(false);
        }
        res.once('finish', () => {
          if (res.statusCode === 401) authLimiter.consume(client).catch(() => undefined);
        });
        return next();
      },
      (error: unknown) => next(error as Error),
    );
  };
}
