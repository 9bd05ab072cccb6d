import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfig, loadConfig, readEnvFile, redactUri } from '../../services/config';
import { AppError } from '../../services/errors';

describe('readEnvFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cjpf-envfile-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('adds the variables of the file, the environment winning where it sets a value', async () => {
    const file = join(dir, 'a.env');
    await writeFile(
      file,
      '# comment\nPORT=4000\nLOG_LEVEL=debug\nAPI_TOKEN="quoted-token-0123456789"\nHOST=10.0.0.1\n',
    );
    const { env, file: used } = readEnvFile({
      ENV_FILE: file,
      PORT: '5000',
      HOST: '',
      ALLOW_UNAUTHENTICATED_BOT: 'true',
    });
    expect(used).toBe(file);
    expect(env).toMatchObject({
      PORT: '5000',
      LOG_LEVEL: 'debug',
      API_TOKEN: 'quoted-token-0123456789',
      HOST: '10.0.0.1',
    });
    expect(loadConfig(env).port).toBe(5000);
  });

  it('reads .env from the working directory by default, and goes on without one', async () => {
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(readEnvFile({ PORT: '1' })).toEqual({ env: { PORT: '1' } });
      await writeFile(join(dir, '.env'), 'PORT=2\nTZ_DEFAULT=America/Tijuana\n');
      const { env, file } = readEnvFile({ PORT: '1' });
      expect(file).toBe(join(dir, '.env'));
      expect(env).toMatchObject({ PORT: '1', TZ_DEFAULT: 'America/Tijuana' });
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses an ENV_FILE that does not exist', () => {
    expect(() => readEnvFile({ ENV_FILE: join(dir, 'missing.env') })).toThrow(AppError);
  });
});

describe('describeConfig', () => {
  it('shows every setting but replaces each secret, and the password in the MongoDB URI', () => {
    const secrets = [
      'bot-secret-xyz',
      'imap-secret-xyz',
      'smtp-secret-xyz',
      'oauth-secret-xyz',
      'api-token-0123456789xyz',
      'c'.repeat(40),
      'mongo-pass-xyz',
    ];
    const config = loadConfig({
      MONGODB_URI: `mongodb://desk:${secrets[6]}@db1.example:27017,db2.example/mesa?replicaSet=rs0`,
      MicrosoftAppId: 'app-id',
      MicrosoftAppPassword: secrets[0],
      IMAP_HOST: 'imap.example',
      IMAP_USER: 'mesa@example.gob.mx',
      IMAP_PASSWORD: secrets[1],
      SMTP_HOST: 'smtp.example',
      SMTP_USER: 'mesa@example.gob.mx',
      SMTP_PASSWORD: secrets[2],
      MAIL_FROM: 'mesa@example.gob.mx',
      API_TOKEN: secrets[4],
      CEDULA_SECRET: secrets[5],
    });
    const described = describeConfig(config);
    const text = JSON.stringify(described);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(described).toMatchObject({
      mongodbUri: 'mongodb://desk:[redacted]@db1.example:27017,db2.example/mesa?replicaSet=rs0',
      bot: { appId: 'app-id', appPassword: '[redacted]' },
      imap: { host: 'imap.example', user: 'mesa@example.gob.mx', password: '[redacted]' },
      apiToken: '[redacted]',
      cedulaSecret: '[redacted]',
    });
    const oauth = describeConfig(
      loadConfig({
        MAIL_AUTH: 'oauth2',
        MAIL_OAUTH_TENANT_ID: 't',
        MAIL_OAUTH_CLIENT_ID: 'c',
        MAIL_OAUTH_CLIENT_SECRET: secrets[3],
      }),
    );
    expect(oauth.mailOAuth).toMatchObject({ clientId: 'c', clientSecret: '[redacted]' });
  });

  it('leaves a URI without credentials as it is', () => {
    expect(redactUri('mongodb://db.example/mesa')).toBe('mongodb://db.example/mesa');
    expect(redactUri('mongodb+srv://u:p@cluster.example/x')).toBe('mongodb+srv://u:[redacted]@cluster.example/x');
  });
});
