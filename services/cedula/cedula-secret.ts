import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/** File in the data directory holding the generated key of the Cédula verification codes. */
export const CEDULA_SECRET_FILE = 'cedula-secret';

/** Shortest key accepted, from CEDULA_SECRET or the file (the same rule as the setting). */
export const MIN_CEDULA_SECRET_LENGTH = 32;

/**
 * The HMAC key of the Cédula codes for a deployment on the embedded engine, which sets no
 * CEDULA_SECRET: read from `<dataDir>/cedula-secret`, or, on the first start, 48 random bytes
 * written there readable by the owner only. The key must outlive restarts (a new one makes
 * every issued Cédula read as tampered), so it lives beside the data it signs. A file too
 * short stops the start rather than being replaced; one others could read is narrowed to the
 * owner, with a warning that the key may have been seen.
 */
export async function loadOrCreateCedulaSecret(dataDir: string, log: Logger): Promise<string> {
  const path = join(dataDir, CEDULA_SECRET_FILE);
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    // The umask may have narrowed the mode further, never widened it; set it exactly anyway.
    await chmod(path, 0o600);
    log.info({ file: path }, 'generated the Cédula secret');
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    log.warn(
      { file: path, mode: mode.toString(8) },
      'the Cédula secret file was open to other users; narrowed to 600 (set CEDULA_SECRET to a new key if it may have been read)',
    );
  }
  const stored = (await readFile(path, 'utf8')).trim();
  if (stored.length < MIN_CEDULA_SECRET_LENGTH) {
    throw new AppError(
      'VALIDATION',
      `${path} holds fewer than ${MIN_CEDULA_SECRET_LENGTH} characters`,
      `El archivo ${path} no contiene una clave válida.`,
      { file: path },
    );
  }
  return stored;
}

/** CEDULA_SECRET when set, else the data directory's generated key. */
export async function cedulaSecretFor(
  config: { cedulaSecret?: string; dataDir: string },
  log: Logger,
): Promise<string> {
  return config.cedulaSecret ?? loadOrCreateCedulaSecret(config.dataDir, log);
}
