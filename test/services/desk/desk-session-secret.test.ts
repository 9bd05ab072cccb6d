import { loadConfig } from '../../../services/config';
import { startService } from '../../../services';
import { openTestDatabase } from '../../support/mongo';
import { recordingLogger } from '../http/harness';

/** What the service says at start about Mesa's session key. */
describe('Mesa session key at start', () => {
  async function warningsAtStart(env: Record<string, string>): Promise<string[]> {
    const tdb = await openTestDatabase();
    const { logger, lines } = recordingLogger('info');
    const service = await startService(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MONGODB_URI: tdb.uri.replace(/\/(\?|$)/, `/${tdb.dbName}$1`),
        CEDULA_SECRET: 'desk-test-cedula-secret-0123456789abcdef',
        ...env,
      }),
      logger,
    );
    try {
      return lines.filter((l) => l.level === 40).map((l) => String(l.msg));
    } finally {
      await service.stop();
      await tdb.close();
    }
  }

  it('warns that sessions end at each restart and are not shared when DESK_SESSION_SECRET is not set', async () => {
    expect(await warningsAtStart({})).toContainEqual(
      expect.stringMatching(/DESK_SESSION_SECRET is not set.*ends when the service restarts/),
    );
  }, 60_000);

  it('says nothing of it when DESK_SESSION_SECRET is set', async () => {
    const warnings = await warningsAtStart({ DESK_SESSION_SECRET: 'a-shared-desk-session-key-0123456789abcdef' });
    expect(warnings.filter((w) => w.includes('DESK_SESSION_SECRET'))).toEqual([]);
  }, 60_000);
});
