import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Next, Request, Response, Server } from 'restify';
import { z } from 'zod';
import { isLoopback } from '../config';

import { jsonBody } from '../http/bodies';
import { invalidField, sendError } from '../http/respond';
import { AppError } from '../errors';
import { DeskApiDeps, registerDeskApi } from './desk-api';
import { sessionCookie, SESSION_COOKIE, SESSION_TTL_MS } from './sessions';
import { OidcSettings, registerOidcSignIn } from './oidc-sign-in';

export interface DeskRouteDeps extends DeskApiDeps {
  /** The built page (packages/desk-web/dist). */
  staticDir: string;
  /** The interface the service listens on: the local sign-in exists only on loopback. */
  host: string;
  directoryList: () => Promise<Array<{ id: string; name: string; roles: string[] }>>;
  /** Cookies marked Secure (the service is reached over https). */
  secureCookies: boolean;
  /** Browser sign-in by OpenID Connect; absent: not offered. */
  oidc?: OidcSettings;
}

/**
 * Where Mesa may be framed: itself and the Teams, Outlook and Microsoft 365 clients that
 * show personal tabs.
 */
const FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.office.com',
  'https://outlook.office.com',
];

/** Scripts and styles only from the service (Fluent UI writes its styles into style tags). */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  `frame-ancestors ${FRAME_ANCESTORS.join(' ')}`,
].join('; ');

const ASSET = /^[A-Za-z0-9_.-]+\.(js|css|svg|png|woff2)$/;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

const LocalSignIn = z.strictObject({ personId: z.string().min(1).max(64) });

/** Whether the local sign-in exists: no Entra configuration, and a service reachable only from this machine. */
export const localSignInOffered = (deps: Pick<DeskRouteDeps, 'auth' | 'host'>) =>
  !deps.auth.entra && isLoopback(deps.host);

/**
 * Mesa under /desk/: the page and its files, how one signs in, and the API. The page may be
 * framed by Teams (its own CSP replaces the service's no-framing one). Files are served
 * from the build only, by exact name; hashed names are cached for good.
 */
export function registerDeskRoutes(server: Server, deps: DeskRouteDeps): { close(): void } {
  const page = (res: Response) => {
    res.setHeader('Content-Security-Policy', PAGE_POLICY);
    res.removeHeader('X-Frame-Options');
  };
  server.get('/desk', (_req: Request, res: Response, next: Next) => {
    res.redirect(302, '/desk/', next);
  });
  server.get('/desk/', async (_req: Request, res: Response) => {
    try {
      const html = await readFile(join(deps.staticDir, 'index.html'));
      page(res);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    } catch {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('La Mesa no está compilada en este servidor (npm run build).');
    }
  });
  server.get('/desk/assets/:file', async (req: Request, res: Response) => {
    const file = String(req.params.file ?? '');
    const ext = ASSET.exec(file)?.[1];
    if (!ext) return sendError(res, new AppError('NOT_FOUND', `no asset ${file}`, 'No encontrado.'), deps.logger);
    try {
      const body = await readFile(join(deps.staticDir, 'assets', file));
      res.writeHead(200, { 'Content-Type': TYPES[ext]!, 'Cache-Control': 'public, max-age=31536000, immutable' });
      res.end(body);
    } catch {
      sendError(res, new AppError('NOT_FOUND', `no asset ${file}`, 'No encontrado.'), deps.logger);
    }
  });

  server.get('/desk/api/sign-in', (_req: Request, res: Response, next: Next) => {
    res.send(200, {
      local: localSignInOffered(deps),
      teams: Boolean(deps.auth.entra),
      oidc: Boolean(deps.oidc && deps.auth.entra),
    });
    next();
  });
  if (localSignInOffered(deps)) registerLocalSignIn(server, deps);
  if (deps.oidc && deps.auth.entra)
    registerOidcSignIn(server, {
      settings: deps.oidc,
      verifier: deps.auth.entra,
      auth: deps.auth,
      secureCookies: deps.secureCookies,
      logger: deps.logger,
    });
  server.post('/desk/api/sign-out', (_req: Request, res: Response, next: Next) => {
    res.setHeader('Set-Cookie', sessionCookie(SESSION_COOKIE, '', 0, deps.secureCookies));
    res.send(204);
    next();
  });
  return registerDeskApi(server, deps);
}

/**
 * The demo sign-in: choose a person of the directory and be them. Registered only when
 * nothing else can sign anyone in and nobody but this machine reaches the service; the
 * page says on every view that it is a local sign-in. The body must be JSON, which a
 * form on another site cannot send.
 */
function registerLocalSignIn(server: Server, deps: DeskRouteDeps): void {
  server.get('/desk/api/local/people', async (_req: Request, res: Response) => {
    try {
      res.send(200, { people: await deps.directoryList() });
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
  server.post('/desk/api/local/sign-in', jsonBody(4096), async (req: Request, res: Response) => {
    try {
      const parsed = LocalSignIn.safeParse(req.body);
      if (!parsed.success) throw invalidField('personId', 'falta la persona');
      const person = await deps.auth.directory.personById(parsed.data.personId);
      if (!person) throw invalidField('personId', 'no está en el directorio');
      const { cookie } = deps.auth.sessions.open(person.id, 'local');
      res.setHeader('Set-Cookie', sessionCookie(SESSION_COOKIE, cookie, SESSION_TTL_MS / 1000, deps.secureCookies));
      deps.logger.warn({ personId: person.id }, 'local sign-in to Mesa');
      res.send(200, { person: { id: person.id, name: person.name } });
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
}
