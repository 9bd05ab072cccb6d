import type { Request } from 'restify';
import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import type { Person } from '../directory/schema';
import { EntraTokenVerifier, personOfClaims } from './entra-tokens';
import { DeskSessions, SignInMode } from './sessions';

export interface DeskUser {
  person: Person;
  mode: SignInMode;
  /** Present for a cookie session: the page must echo it on state-changing calls. */
  csrf?: string;
}

export interface DeskAuthDeps {
  sessions: DeskSessions;
  /** Absent: no Entra configuration, bearer tokens are refused. */
  entra?: EntraTokenVerifier;
  directory: Pick<DirectoryReader, 'personById' | 'personByAadObjectId' | 'personByEmail'>;
}

export const CSRF_HEADER = 'x-csrf-token';

const signInNeeded = (why: string) =>
  new AppError('UNAUTHENTICATED', `desk: ${why}`, 'Inicie sesión para usar la Mesa.');

/**
 * Who is calling Mesa's API: a bearer token from Entra ID (Teams SSO), verified on every
 * request, or a session cookie. A state-changing call on a cookie must also carry the
 * session's CSRF value in `X-CSRF-Token`: a cookie alone, which a browser attaches to
 * requests another site makes, never changes anything. The person and their roles always
 * come from the directory, read now, so a removed person loses access at once.
 */
export async function authenticate(deps: DeskAuthDeps, req: Request, changesState: boolean): Promise<DeskUser> {
  const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) {
    if (!deps.entra) throw signInNeeded('bearer token without Entra configuration');
    const claims = await deps.entra.verify(bearer);
    return { person: await personOfClaims(deps.directory, claims), mode: 'teams' };
  }
  const session = deps.sessions.read(req.headers.cookie);
  if (!session) throw signInNeeded('no session');
  if (changesState && req.headers[CSRF_HEADER] !== session.csrf) {
    throw new AppError(
      'FORBIDDEN',
      'desk: state change without the CSRF header',
      'La solicitud no se pudo verificar; recargue la página.',
    );
  }
  const person = await deps.directory.personById(session.personId);
  if (!person) throw signInNeeded(`session of ${session.personId}, no longer in the directory`);
  return { person, mode: session.mode, csrf: session.csrf };
}
