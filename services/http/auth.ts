import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` against the configured API token in constant time
 * (both sides hashed to equal length first). With no token configured every request is
 * refused: an unset secret must never mean "open".
 */
export function checkBearer(header: string | undefined, apiToken: string | undefined): void {
  const presented = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
  const ok = apiToken !== undefined && presented !== undefined && timingSafeEqual(digest(presented), digest(apiToken));
  if (!ok) {
    throw new AppError(
      'UNAUTHENTICATED',
      apiToken === undefined ? 'read API disabled: API_TOKEN is not set' : 'missing or wrong bearer token',
      'Se requiere un token de acceso válido para consultar las órdenes.',
    );
  }
}
