import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CEDULA_SECRET_FILE } from '../../services/cedula/cedula-secret';
import { loadConfig } from '../../services/config';
import { startService } from '../../services/index';
import { recordingLogger } from './http/harness';

describe('settings that act at start-up', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-startup-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns at every start while unauthenticated bot access is allowed, and keeps one generated Cédula secret', async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'info',
      ALLOW_UNAUTHENTICATED_BOT: 'true',
    });
    const secrets: string[] = [];
    for (let start = 0; start < 2; start++) {
      const log = recordingLogger('info');
      const service = await startService(config, log.logger);
      try {
        expect(
          log.lines.filter((l) => l.level === 40 && /ALLOW_UNAUTHENTICATED_BOT=true/.test(String(l.msg))),
        ).toHaveLength(1);
        const file = join(dir, 'data', CEDULA_SECRET_FILE);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        secrets.push(readFileSync(file, 'utf8'));
      } finally {
        await service.stop();
      }
    }
    expect(secrets[0]!.trim().length).toBeGreaterThanOrEqual(32);
    expect(secrets[1]).toBe(secrets[0]);
  }, 60_000);
});
