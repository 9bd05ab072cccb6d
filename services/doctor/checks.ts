import { ImapFlow } from 'imapflow';
import { MongoClient } from 'mongodb';
import nodemailer from 'nodemailer';
import type { Config } from '../config';
import { MongoDirectoryStore } from '../directory/directory-store';
import { loadDirectoryFiles } from '../directory/load-directory';
import { createTokenProvider, msalAcquirer } from '../mail/oauth-token';
import { Check, describe, fail, ok, skip, Verdict, warn } from './check';

/** The folders the service files mail into (services/index.ts, wireMail). */
export const DESK_FOLDERS = ['Procesados', 'Cuarentena', 'Rechazados'] as const;

/** Indexes the service relies on, by collection (created by each store's ensureIndexes at start). */
const REQUIRED_INDEXES: Record<string, string[]> = { orders: ['folio_1', 'status_1_centreId_1'], notifications: [] };

export interface DoctorOptions {
  /** Where the SMTP check sends its test message; unset: sign-in only. */
  mailTo?: string;
  /** Token authority of the Bot Framework check (default https://login.microsoftonline.com). */
  botAuthority?: string;
}

const mailToken = (config: Config) =>
  config.mailOAuth ? createTokenProvider({ acquire: msalAcquirer(config.mailOAuth) }) : undefined;

export function databaseCheck(config: Config): Check {
  return {
    name: 'database',
    async run() {
      if (!config.mongodbUri) {
        return warn(
          'MONGODB_URI no está definido: se usaría el motor integrado (desarrollo, pilotos)',
          'MONGODB_URI is unset: the embedded engine would be used (development, pilots)',
          {
            es: 'para producción defina MONGODB_URI con un replica set (docs/mongodb.md)',
            en: 'for production set MONGODB_URI to a replica set (docs/mongodb.md)',
          },
        );
      }
      let client: MongoClient | undefined;
      try {
        client = await MongoClient.connect(config.mongodbUri, {
          serverSelectionTimeoutMS: 5000,
          connectTimeoutMS: 5000,
        });
        const hello = await client.db('admin').command({ hello: 1 });
        if (!hello.setName && hello.msg !== 'isdbgrid') {
          return fail(
            'el servidor es un mongod independiente: sin replica set no hay transacciones',
            'the server is a standalone mongod: without a replica set there are no transactions',
            {
              es: 'inicie mongod con --replSet y rs.initiate() (docs/mongodb.md), o use Atlas',
              en: 'start mongod with --replSet and run rs.initiate() (docs/mongodb.md), or use Atlas',
            },
          );
        }
        const db = client.db(config.databaseName);
        const missing: string[] = [];
        for (const [collection, names] of Object.entries(REQUIRED_INDEXES)) {
          const present = new Set(
            (
              await db
                .collection(collection)
                .listIndexes()
                .toArray()
                .catch(() => [])
            ).map((i) => String(i.name)),
          );
          if (present.size === 0) missing.push(collection);
          else missing.push(...names.filter((n) => !present.has(n)).map((n) => `${collection}.${n}`));
        }
        const where = `${hello.setName ? `replica set ${hello.setName}` : 'mongos'}, base ${config.databaseName}`;
        if (missing.length > 0) {
          return warn(
            `${where}; faltan índices o colecciones: ${missing.join(', ')}`,
            `${where}; missing indexes or collections: ${missing.join(', ')}`,
            {
              es: 'inicie el servicio una vez: crea sus índices al arrancar',
              en: 'start the service once: it creates its indexes at start-up',
            },
          );
        }
        return ok(`${where}, índices en su lugar`, `${where}, indexes in place`);
      } catch (error) {
        return fail(`no se pudo conectar: ${describe(error)}`, `cannot connect: ${describe(error)}`, {
          es: 'revise host, puerto, usuario y contraseña de MONGODB_URI y que el servidor acepte conexiones desde aquí',
          en: 'check the host, port, user and password in MONGODB_URI and that the server accepts connections from here',
        });
      } finally {
        await client?.close().catch(() => undefined);
      }
    },
  };
}

export function imapCheck(config: Config): Check {
  return {
    name: 'imap',
    async run() {
      const imap = config.imap;
      if (!imap)
        return skip('IMAP_HOST no está definido: no se leen correos', 'IMAP_HOST is unset: mail intake is off');
      const token = mailToken(config);
      const client = new ImapFlow({
        host: imap.host,
        port: imap.port,
        secure: imap.secure,
        logger: false,
        connectionTimeout: 5000,
        greetingTimeout: 5000,
        auth: token ? { user: imap.user, accessToken: await token() } : { user: imap.user, pass: imap.password ?? '' },
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (error) {
        client.close();
        const refused = (error as { authenticationFailed?: boolean }).authenticationFailed;
        return refused
          ? fail(
              `el servidor rechazó el acceso de ${imap.user}: ${describe(error)}`,
              `the server refused the sign-in of ${imap.user}: ${describe(error)}`,
              {
                es: config.mailOAuth
                  ? 'revise los permisos IMAP.AccessAsApp y Add-MailboxPermission (docs/exchange-online.md)'
                  : 'revise IMAP_USER e IMAP_PASSWORD',
                en: config.mailOAuth
                  ? 'check the IMAP.AccessAsApp permission and Add-MailboxPermission (docs/exchange-online.md)'
                  : 'check IMAP_USER and IMAP_PASSWORD',
              },
            )
          : fail(
              `no se pudo conectar a ${imap.host}:${imap.port}: ${describe(error)}`,
              `cannot connect to ${imap.host}:${imap.port}: ${describe(error)}`,
              {
                es: 'revise IMAP_HOST, IMAP_PORT e IMAP_SECURE',
                en: 'check IMAP_HOST, IMAP_PORT and IMAP_SECURE',
              },
            );
      }
      try {
        const listed = new Set((await client.list()).map((m) => m.path));
        const wanted = [imap.mailbox, ...DESK_FOLDERS];
        const missing = wanted.filter((f) => !listed.has(f));
        if (missing.length > 0) {
          return fail(
            `faltan carpetas en el buzón de ${imap.user}: ${missing.join(', ')}`,
            `folders missing in the mailbox of ${imap.user}: ${missing.join(', ')}`,
            {
              es: `cree las carpetas ${missing.join(', ')} en el buzón`,
              en: `create the folders ${missing.join(', ')} in the mailbox`,
            },
          );
        }
        return ok(
          `acceso de ${imap.user} correcto; ${wanted.join(', ')} existen`,
          `${imap.user} signs in; ${wanted.join(', ')} exist`,
        );
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
  };
}

export function smtpCheck(config: Config, options: DoctorOptions): Check {
  return {
    name: 'smtp',
    timeoutMs: 12_000,
    async run() {
      const smtp = config.smtp;
      if (!smtp)
        return skip('SMTP_HOST no está definido: no se envían correos', 'SMTP_HOST is unset: no email is sent');
      const token = mailToken(config);
      const transport = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        connectionTimeout: 5000,
        greetingTimeout: 5000,
        ...(token
          ? { auth: { type: 'OAuth2' as const, user: smtp.user, accessToken: await token() } }
          : smtp.user
            ? { auth: { user: smtp.user, pass: smtp.password } }
            : {}),
      });
      try {
        await transport.verify();
      } catch (error) {
        const code = (error as { code?: string }).code;
        return code === 'EAUTH'
          ? fail(
              `el servidor rechazó el acceso de ${smtp.user}: ${describe(error)}`,
              `the server refused the sign-in of ${smtp.user}: ${describe(error)}`,
              {
                es: config.mailOAuth
                  ? 'revise el permiso SMTP.SendAsApp y que SMTP AUTH esté habilitado en el buzón'
                  : 'revise SMTP_USER y SMTP_PASSWORD',
                en: config.mailOAuth
                  ? 'check the SMTP.SendAsApp permission and that SMTP AUTH is enabled on the mailbox'
                  : 'check SMTP_USER and SMTP_PASSWORD',
              },
            )
          : fail(
              `no se pudo conectar a ${smtp.host}:${smtp.port}: ${describe(error)}`,
              `cannot connect to ${smtp.host}:${smtp.port}: ${describe(error)}`,
              {
                es: 'revise SMTP_HOST, SMTP_PORT y SMTP_SECURE',
                en: 'check SMTP_HOST, SMTP_PORT and SMTP_SECURE',
              },
            );
      }
      try {
        if (!options.mailTo)
          return ok(
            `acceso a ${smtp.host} correcto (sin mensaje de prueba: use --mail-to)`,
            `${smtp.host} accepts the sign-in (no test message: use --mail-to)`,
          );
        const info = await transport.sendMail({
          from: smtp.from,
          to: options.mailTo,
          subject: 'Mesa de Servicio: prueba de configuración',
          text: 'Este mensaje lo envió `npm run doctor` para comprobar el correo saliente de la Mesa de Servicio.\n',
        });
        if (info.rejected.length > 0)
          return fail(
            `el servidor rechazó el destinatario ${options.mailTo}`,
            `the server refused the recipient ${options.mailTo}`,
          );
        return ok(
          `mensaje de prueba enviado a ${options.mailTo} desde ${smtp.from}`,
          `test message sent to ${options.mailTo} from ${smtp.from}`,
        );
      } catch (error) {
        return fail(
          `no se pudo enviar a ${options.mailTo}: ${describe(error)}`,
          `could not send to ${options.mailTo}: ${describe(error)}`,
          {
            es: 'revise que MAIL_FROM sea una dirección que la cuenta puede usar',
            en: 'check that MAIL_FROM is an address the account may send as',
          },
        );
      } finally {
        transport.close();
      }
    },
  };
}

/** The client-credentials grant the Bot Framework connector uses; a token proves id, secret and tenant. */
export function botCheck(config: Config, options: DoctorOptions): Check {
  return {
    name: 'bot',
    async run() {
      const { appId, appPassword, tenantId, appType } = config.bot;
      if (!appId) {
        return warn(
          'MicrosoftAppId no está definido: el bot no autentica (solo sirve con el emulador)',
          'MicrosoftAppId is unset: the bot does not authenticate (emulator only)',
          {
            es: 'registre el bot en Azure (docs/azure-bot.md)',
            en: 'register the bot in Azure (docs/azure-bot.md)',
          },
        );
      }
      if (appType === 'UserAssignedMSI')
        return skip(
          'identidad administrada: el token solo se obtiene dentro de Azure',
          'managed identity: a token is only issued inside Azure',
        );
      const tenant = tenantId ?? 'botframework.com';
      const authority = (options.botAuthority ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
      const url = `${authority}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: appId,
        client_secret: appPassword ?? '',
        scope: 'https://api.botframework.com/.default',
      });
      try {
        const res = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(6000) });
        const answer = (await res.json().catch(() => ({}))) as {
          access_token?: string;
          error?: string;
          error_description?: string;
        };
        if (res.ok && answer.access_token)
          return ok(`se obtuvo un token para ${appId} (${tenant})`, `a token was issued for ${appId} (${tenant})`);
        const why = `${answer.error ?? res.status}${answer.error_description ? `: ${answer.error_description.split('\n')[0]}` : ''}`;
        return fail(`no se obtuvo un token: ${why}`, `no token was issued: ${why}`, {
          es: 'revise MicrosoftAppId, MicrosoftAppPassword (¿expiró el secreto?) y MicrosoftAppTenantId',
          en: 'check MicrosoftAppId, MicrosoftAppPassword (has the secret expired?) and MicrosoftAppTenantId',
        });
      } catch (error) {
        return fail(
          `no se pudo llegar a ${authority}: ${describe(error)}`,
          `cannot reach ${authority}: ${describe(error)}`,
          {
            es: 'permita la salida HTTPS hacia login.microsoftonline.com',
            en: 'allow outgoing HTTPS to login.microsoftonline.com',
          },
        );
      }
    },
  };
}

export function publicUrlCheck(config: Config): Check {
  return {
    name: 'public-url',
    async run() {
      const base = config.publicBaseUrl;
      if (!base) {
        return fail(
          'PUBLIC_BASE_URL no está definido: los enlaces de correos y tarjetas serían rutas sin dominio',
          'PUBLIC_BASE_URL is unset: links in mail and cards would be bare paths',
          {
            es: 'defina PUBLIC_BASE_URL con la dirección https del servicio',
            en: 'set PUBLIC_BASE_URL to the https address of the service',
          },
        );
      }
      if (!base.startsWith('https://')) {
        return fail(
          `PUBLIC_BASE_URL no es https (${base}); Teams exige https`,
          `PUBLIC_BASE_URL is not https (${base}); Teams requires https`,
          {
            es: 'publique el servicio detrás de TLS (docs/load-balancer.md)',
            en: 'publish the service behind TLS (docs/load-balancer.md)',
          },
        );
      }
      try {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(6000) });
        if (res.status === 200) return ok(`${base}/healthz responde 200`, `${base}/healthz answers 200`);
        return fail(`${base}/healthz responde ${res.status}`, `${base}/healthz answers ${res.status}`, {
          es: 'revise que el balanceador dirija a una instancia sana',
          en: 'check that the load balancer routes to a healthy instance',
        });
      } catch (error) {
        return fail(`${base} no es alcanzable: ${describe(error)}`, `${base} is not reachable: ${describe(error)}`, {
          es: 'revise DNS, certificado y balanceador (esta comprobación se hace desde esta máquina)',
          en: 'check DNS, certificate and load balancer (checked from this machine)',
        });
      }
    },
  };
}

/** Distinct characters and length: a long string of few symbols is a weak secret. */
function weak(secret: string, minLength: number): boolean {
  return secret.length < minLength || new Set(secret).size < 10;
}

export function secretsCheck(config: Config): Check {
  return {
    name: 'secrets',
    async run() {
      const problems: string[] = [];
      if (!config.apiToken) problems.push('API_TOKEN no definido / unset');
      else if (weak(config.apiToken, 32)) problems.push('API_TOKEN débil / weak (< 32 caracteres o pocos distintos)');
      // Unset is only allowed on the embedded engine, which keeps a generated key in DATA_DIR.
      if (!config.cedulaSecret)
        problems.push(
          'CEDULA_SECRET no definido / unset (la clave generada en DATA_DIR sólo vale para la base integrada / the key generated in DATA_DIR only serves the embedded engine)',
        );
      else if (weak(config.cedulaSecret, 32)) problems.push('CEDULA_SECRET débil / weak');
      if (config.bot.appPassword && weak(config.bot.appPassword, 16))
        problems.push('MicrosoftAppPassword débil / weak');
      if (problems.length === 0)
        return ok('API_TOKEN y CEDULA_SECRET son fuertes', 'API_TOKEN and CEDULA_SECRET are strong');
      return fail(problems.join('; '), `${problems.length} weak or missing secret(s)`, {
        es: 'genere cada secreto con `openssl rand -base64 48`',
        en: 'generate each secret with `openssl rand -base64 48`',
      });
    },
  };
}

/** Loads DIRECTORY_FILE (without storing it) or reads the stored directory, and checks each centre. */
export function directoryCheck(config: Config): Check {
  return {
    name: 'directory',
    async run() {
      let directory;
      let client: MongoClient | undefined;
      try {
        if (config.directoryFile) {
          directory = await loadDirectoryFiles(config.directoryFile);
        } else if (config.mongodbUri) {
          client = await MongoClient.connect(config.mongodbUri, { serverSelectionTimeoutMS: 5000 });
          directory = await new MongoDirectoryStore(client, client.db(config.databaseName)).snapshot();
        } else {
          return skip(
            'sin DIRECTORY_FILE ni MONGODB_URI: se usará el directorio de ejemplo',
            'no DIRECTORY_FILE nor MONGODB_URI: the example directory would be used',
          );
        }
      } catch (error) {
        return fail(`el directorio no carga: ${describe(error)}`, `the directory does not load: ${describe(error)}`, {
          es: 'corrija el archivo (npm run directory -- import lo explica campo por campo)',
          en: 'fix the file (npm run directory -- import names each field)',
        });
      } finally {
        await client?.close().catch(() => undefined);
      }
      if (directory.centres.length === 0)
        return fail('el directorio no tiene centros', 'the directory has no centres', {
          es: 'importe el directorio (npm run directory -- import)',
          en: 'import the directory (npm run directory -- import)',
        });
      const problems: string[] = [];
      for (const centre of directory.centres) {
        if (!directory.people.some((p) => p.roles.includes('judge') && p.centreIds.includes(centre.id)))
          problems.push(`${centre.id}: sin juez / no judge`);
        if (!centre.timeZone) problems.push(`${centre.id}: sin zona horaria / no time zone`);
      }
      if (problems.length > 0)
        return fail(problems.join('; '), `${problems.length} centre problem(s)`, {
          es: 'asigne un Juez Administrador y una zona horaria a cada centro',
          en: 'give every centre a judge and a time zone',
        });
      return ok(
        `${directory.centres.length} centros con juez y zona horaria; ${directory.people.length} personas`,
        `${directory.centres.length} centres with a judge and a time zone; ${directory.people.length} people`,
      );
    },
  };
}

export function allChecks(config: Config, options: DoctorOptions): Check[] {
  return [
    databaseCheck(config),
    imapCheck(config),
    smtpCheck(config, options),
    botCheck(config, options),
    publicUrlCheck(config),
    secretsCheck(config),
    directoryCheck(config),
  ];
}

export type { Verdict };
