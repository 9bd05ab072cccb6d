import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CEDULA_SECRET_FILE, cedulaSecretFor, loadOrCreateCedulaSecret } from '../../../services/cedula/cedula-secret';
import { recordingLogger } from '../http/harness';

describe('the Cédula secret on the embedded engine', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cedula-secret-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is generated on the first start, random, readable by the owner only', async () => {
    const log = recordingLogger('info');
    const secret = await loadOrCreateCedulaSecret(join(dir, 'data'), log.logger);
    const file = join(dir, 'data', CEDULA_SECRET_FILE);
    expect(secret.length).toBeGreaterThanOrEqual(48);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(log.lines)).not.toContain(secret);
    const other = mkdtempSync(join(tmpdir(), 'cedula-secret-'));
    try {
      expect(await loadOrCreateCedulaSecret(other, log.logger)).not.toBe(secret);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('is reused on every later start', async () => {
    const log = recordingLogger('info');
    const first = await loadOrCreateCedulaSecret(dir, log.logger);
    expect(await loadOrCreateCedulaSecret(dir, log.logger)).toBe(first);
    expect(await cedulaSecretFor({ dataDir: dir }, log.logger)).toBe(first);
  });

  it('is CEDULA_SECRET when set, and then no file is written', async () => {
    const log = recordingLogger('info');
    expect(await cedulaSecretFor({ dataDir: dir, cedulaSecret: 'x'.repeat(40) }, log.logger)).toBe('x'.repeat(40));
    expect(() => statSync(join(dir, CEDULA_SECRET_FILE))).toThrow();
  });

  it('stops the start when the file holds no usable key, instead of replacing it', async () => {
    writeFileSync(join(dir, CEDULA_SECRET_FILE), 'short\n', { mode: 0o600 });
    await expect(loadOrCreateCedulaSecret(dir, recordingLogger('info').logger)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(readFileSync(join(dir, CEDULA_SECRET_FILE), 'utf8')).toBe('short\n');
  });

  it('narrows a file others could read to the owner, and warns', async () => {
    const log = recordingLogger('info');
    const first = await loadOrCreateCedulaSecret(dir, log.logger);
    chmodSync(join(dir, CEDULA_SECRET_FILE), 0o644);
    expect(await loadOrCreateCedulaSecret(dir, log.logger)).toBe(first);
    expect(statSync(join(dir, CEDULA_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(log.lines.some((l) => l.level === 40 && /open to other users/.test(String(l.msg)))).toBe(true);
  });
});
