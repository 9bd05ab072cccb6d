import { isAbsolute } from 'node:path';
import { loadConfig, startupWarnings } from '../../services/config';
import { AppError } from '../../services/errors';

function problemsOf(env: NodeJS.ProcessEnv): Array<{ field: string; message: string }> {
  try {
    loadConfig(env);
  } catch (error) {
    expect(AppError.is(error, 'VALIDATION')).toBe(true);
    return (error as AppError).details.problems as Array<{ field: string; message: string }>;
  }
  throw new Error('expected loadConfig to refuse the environment');
}

const CEDULA_SECRET = 'a-test-cedula-secret-of-enough-length-0123';

describe('loadConfig', () => {
  it('applies the documented defaults when the environment is empty', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3978);
    expect(config.mongodbUri).toBeUndefined();
    expect(isAbsolute(config.dataDir) && config.dataDir.endsWith('data')).toBe(true);
    expect(config.directoryFile).toBeUndefined();
    expect(config.exampleDirectoryFile).toMatch(/services[\\/]directory[\\/]example-directory\.json$/);
    expect(config.databaseName).toBe('mesa_servicio');
    expect(config.defaultTimeZone).toBe('America/Mexico_City');
    expect(config.logLevel).toBe('info');
    expect(config.imap).toBeUndefined();
    expect(config.smtp).toBeUndefined();
    expect(config.apiToken).toBeUndefined();
  });

  it('uses the database named in MONGODB_URI, for single hosts, host lists and SRV', () => {
    const named = (uri: string) => loadConfig({ MONGODB_URI: uri, CEDULA_SECRET }).databaseName;
    expect(named('mongodb://db.example:27017/mesa_prod?replicaSet=rs0')).toBe('mesa_prod');
    expect(named('mongodb://a:1,b:2,c:3/otra')).toBe('otra');
    expect(named('mongodb+srv://u:p@cluster.example/escritorio')).toBe('escritorio');
    expect(named('mongodb://db.example:27017/?replicaSet=rs0')).toBe('mesa_servicio');
    expect(named('mongodb://db.example:27017')).toBe('mesa_servicio');
  });

  it('returns a frozen object so nobody changes the configuration after start-up', () => {
    const config = loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret', CEDULA_SECRET });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.bot)).toBe(true);
  });

  it('reports every problem at once when several variables are wrong', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      MONGODB_URI: 'http://db',
      TZ_DEFAULT: 'Mars/Olympus_Mons',
      LOG_LEVEL: 'loud',
      IMAP_HOST: 'imap.example.org',
      SMTP_HOST: 'smtp.example.org',
      SMTP_SECURE: 'maybe',
      API_TOKEN: 'short',
      MicrosoftAppId: '00000000-0000-0000-0000-000000000000',
    });
    const fields = problems.map((p) => p.field).sort();
    expect(fields).toEqual([
      'API_TOKEN',
      'CEDULA_SECRET',
      'IMAP_PASSWORD',
      'IMAP_USER',
      'LOG_LEVEL',
      'MAIL_FROM',
      'MONGODB_URI',
      'MicrosoftAppPassword',
      'PORT',
      'SMTP_SECURE',
      'TZ_DEFAULT',
    ]);
  });

  it('names the field in the message and never echoes a secret value', () => {
    try {
      loadConfig({ API_TOKEN: 'tiny-secret', TZ_DEFAULT: 'Nowhere/Town' });
      throw new Error('unreachable');
    } catch (error) {
      const e = error as AppError;
      expect(e.message).toContain('TZ_DEFAULT');
      expect(e.message).toContain('API_TOKEN');
      expect(e.message).not.toContain('tiny-secret');
      expect(e.userMessage).toMatch(/configuración/);
    }
  });

  it('compiles INVENTORY_PATTERN ignoring case, and refuses one that does not compile or matches empty text', () => {
    expect(loadConfig({}).inventoryPattern.test('equipo cjf-012345')).toBe(true);
    const custom = loadConfig({ INVENTORY_PATTERN: String.raw`\bINV-[0-9]{4}\b` }).inventoryPattern;
    expect([custom.test('inv-1234'), custom.test('CJF-012345')]).toEqual([true, false]);
    expect(problemsOf({ INVENTORY_PATTERN: 'CJF-(' }).map((p) => p.field)).toEqual(['INVENTORY_PATTERN']);
    expect(problemsOf({ INVENTORY_PATTERN: '[0-9]*' }).map((p) => p.field)).toEqual(['INVENTORY_PATTERN']);
  });

  it('refuses a time zone that is not an IANA zone', () => {
    expect(problemsOf({ TZ_DEFAULT: 'CST' }).map((p) => p.field)).toEqual(['TZ_DEFAULT']);
    expect(loadConfig({ TZ_DEFAULT: 'America/Tijuana' }).defaultTimeZone).toBe('America/Tijuana');
  });

  it('takes PUBLIC_BASE_URL only as an http(s) URL, without its trailing slash', () => {
    expect(loadConfig({}).publicBaseUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://mesa.example.gob.mx/' }).publicBaseUrl).toBe(
      'https://mesa.example.gob.mx',
    );
    expect(loadConfig({ PUBLIC_BASE_URL: 'http://10.0.0.5:3978/mesa' }).publicBaseUrl).toBe(
      'http://10.0.0.5:3978/mesa',
    );
    for (const bad of ['mesa.example.gob.mx', 'ftp://mesa.example.gob.mx', 'javascript:alert(1)']) {
      expect(problemsOf({ PUBLIC_BASE_URL: bad }).map((p) => p.field)).toEqual(['PUBLIC_BASE_URL']);
    }
  });

  it('treats empty values as unset, as an env file with blank lines means', () => {
    const config = loadConfig({ PORT: '', MONGODB_URI: '', API_TOKEN: '' });
    expect(config.port).toBe(3978);
    expect(config.mongodbUri).toBeUndefined();
  });

  it('builds the mail settings only when their host is configured', () => {
    const config = loadConfig({
      IMAP_HOST: 'imap.local',
      IMAP_USER: 'desk',
      IMAP_PASSWORD: 'pw',
      IMAP_SECURE: 'false',
      IMAP_PORT: '143',
      SMTP_HOST: 'smtp.local',
      MAIL_FROM: 'escritoriodesoporte@correo.cjf.gob.mx',
    });
    expect(config.imap).toEqual({
      host: 'imap.local',
      port: 143,
      user: 'desk',
      password: 'pw',
      secure: false,
      mailbox: 'INBOX',
    });
    expect(config.smtp?.from).toBe('escritoriodesoporte@correo.cjf.gob.mx');
    expect(config.smtp?.port).toBe(587);
  });

  describe('who may reach the bot endpoint', () => {
    it('listens on loopback only by default when no app id authenticates the bot', () => {
      expect(loadConfig({}).host).toBe('127.0.0.1');
      expect(loadConfig({}).allowUnauthenticatedBot).toBe(false);
    });

    it('listens on every interface by default when MicrosoftAppId is set', () => {
      expect(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw', CEDULA_SECRET }).host).toBe('0.0.0.0');
    });

    it.each(['0.0.0.0', '::', '10.0.0.5', 'mesa.example.gob.mx'])(
      'refuses HOST=%s without an app id unless unauthenticated access is chosen',
      (host) => {
        expect(problemsOf({ HOST: host }).map((p) => p.field)).toEqual(['HOST']);
        const config = loadConfig({ HOST: host, ALLOW_UNAUTHENTICATED_BOT: 'true' });
        expect(config.host).toBe(host);
        expect(startupWarnings(config)).toEqual([
          expect.stringMatching(/ALLOW_UNAUTHENTICATED_BOT=true.*without authentication/),
        ]);
      },
    );

    it.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])(
      'accepts the loopback HOST=%s without an app id, with no warning',
      (host) => {
        const config = loadConfig({ HOST: host });
        expect(config.host).toBe(host);
        expect(startupWarnings(config)).toEqual([]);
      },
    );

    it('refuses ALLOW_UNAUTHENTICATED_BOT together with MicrosoftAppId', () => {
      expect(
        problemsOf({
          MicrosoftAppId: 'app',
          MicrosoftAppPassword: 'pw',
          CEDULA_SECRET,
          ALLOW_UNAUTHENTICATED_BOT: 'true',
        }).map((p) => p.field),
      ).toEqual(['ALLOW_UNAUTHENTICATED_BOT']);
    });

    it('takes BOT_SERVICE_URLS as https URLs, or http ones on loopback', () => {
      expect(loadConfig({}).bot.serviceUrls).toBeUndefined();
      expect(
        loadConfig({ BOT_SERVICE_URLS: 'https://smba.infra.gcc.teams.microsoft.com/gcc/, http://127.0.0.1:4000/' }).bot
          .serviceUrls,
      ).toEqual(['https://smba.infra.gcc.teams.microsoft.com/gcc/', 'http://127.0.0.1:4000/']);
      for (const bad of ['http://smba.trafficmanager.net/', 'smba.trafficmanager.net', ',']) {
        expect(problemsOf({ BOT_SERVICE_URLS: bad }).map((p) => p.field)).toEqual(['BOT_SERVICE_URLS']);
      }
    });
  });

  describe('the Cédula secret', () => {
    it('is required, at least 32 characters, when the service runs against MongoDB or Teams', () => {
      expect(problemsOf({ MONGODB_URI: 'mongodb://db.example/mesa' }).map((p) => p.field)).toEqual(['CEDULA_SECRET']);
      expect(problemsOf({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' }).map((p) => p.field)).toEqual([
        'CEDULA_SECRET',
      ]);
      expect(
        problemsOf({ MONGODB_URI: 'mongodb://db.example/mesa', CEDULA_SECRET: 'short-secret' }).map((p) => p.field),
      ).toEqual(['CEDULA_SECRET']);
      expect(loadConfig({ MONGODB_URI: 'mongodb://db.example/mesa', CEDULA_SECRET }).cedulaSecret).toBe(CEDULA_SECRET);
    });

    it('may be left unset on the embedded engine (a key is generated into DATA_DIR)', () => {
      expect(loadConfig({}).cedulaSecret).toBeUndefined();
    });
  });
});
