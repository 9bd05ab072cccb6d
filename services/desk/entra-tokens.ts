import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import type { Person } from '../directory/schema';

export interface EntraSettings {
  tenantId: string;
  clientId: string;
  jwksUrl: string;
  /** The v2.0 issuer of the tenant (or the local stand-in's). */
  oidcIssuer: string;
}

/** The claims Mesa reads from an Entra ID token. */
export interface EntraClaims extends JWTPayload {
  tid?: string;
  oid?: string;
  preferred_username?: string;
  upn?: string;
  email?: string;
  nonce?: string;
}

const unauthenticated = (why: string) =>
  new AppError(
    'UNAUTHENTICATED',
    `desk token refused: ${why}`,
    'Su sesión no es válida o venció. Inicie sesión de nuevo.',
  );

/**
 * Verifies tokens Entra ID issued for the tab's app registration: the signature against the
 * tenant's published keys (fetched and cached by `jose`, refreshed when an unknown key id
 * appears), the issuer (the tenant's v2.0 issuer or its v1.0 `sts.windows.net` twin, both
 * of which Teams SSO hands out), the audience (the client id or an `api://…/<client id>`
 * application id URI), the tenant (`tid`), and the validity window. Anything else is
 * UNAUTHENTICATED, never a partial trust.
 */
export class EntraTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: EntraSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  }

  /** The issuers a token of this tenant may name. */
  issuers(): string[] {
    return [this.settings.oidcIssuer, `https://sts.windows.net/${this.settings.tenantId}/`];
  }

  async verify(token: string, expected: { nonce?: string } = {}): Promise<EntraClaims> {
    let payload: EntraClaims;
    try {
      ({ payload } = await jwtVerify<EntraClaims>(token, this.keys, {
        issuer: this.issuers(),
        algorithms: ['RS256'],
        clockTolerance: 60,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError) throw unauthenticated(error.code);
      throw new AppError(
        'UPSTREAM',
        `desk token keys unavailable: ${String(error)}`,
        'No se pudo validar la sesión; intente de nuevo.',
      );
    }
    const audiences = [payload.aud ?? []].flat();
    const { clientId, tenantId } = this.settings;
    if (!audiences.some((a) => a === clientId || (a.startsWith('api://') && a.endsWith(`/${clientId}`))))
      throw unauthenticated('audience');
    if (payload.tid !== undefined ? payload.tid !== tenantId : !payload.iss?.includes(tenantId))
      throw unauthenticated('tenant');
    if (expected.nonce !== undefined && payload.nonce !== expected.nonce) throw unauthenticated('nonce');
    return payload;
  }
}

/**
 * The directory person a verified token names: by Entra object id first (stable across
 * renames), then by the sign-in name. Someone outside the directory is FORBIDDEN: Mesa is
 * for the staff the directory lists.
 */
export async function personOfClaims(
  directory: Pick<DirectoryReader, 'personByAadObjectId' | 'personByEmail'>,
  claims: EntraClaims,
): Promise<Person> {
  const byOid = claims.oid ? await directory.personByAadObjectId(claims.oid) : null;
  const email = claims.preferred_username ?? claims.upn ?? claims.email;
  const person = byOid ?? (email && email.includes('@') ? await directory.personByEmail(email) : null);
  if (!person) {
    throw new AppError(
      'FORBIDDEN',
      `desk sign-in of someone outside the directory (oid ${claims.oid ?? '-'})`,
      'Usted no está registrado en el directorio de la Mesa de Servicio.',
    );
  }
  return person;
}
