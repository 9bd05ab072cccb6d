import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { AppError } from './errors';

/** Log levels pino accepts; anything else is a configuration error, not a silent default. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The folder holding package.json, so defaults resolve the same from sources and from dist/. */
function packageRoot(start: string = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** True when `zone` is an IANA time zone the runtime knows (e.g. America/Mexico_City). */
export function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|::1)$/i;

/** True for a loopback interface or host name: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_HOST.test(host.trim());
}

/** A regular expression that compiles and cannot match empty text (it would "find" a number everywhere). */
export function isUsablePattern(source: string): boolean {
  try {
    return !new RegExp(source, 'i').test('');
  } catch {
    return false;
  }
}

/** Each entry an http(s) URL; plain http only for loopback hosts (a local emulator). */
function validServiceUrlList(value: string): boolean {
  const entries = splitList(value);
  return (
    entries.length > 0 &&
    entries.every((entry) => {
      try {
        const url = new URL(entry);
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
      } catch {
        return false;
      }
    })
  );
}

const port = z.coerce.number().int().min(0).max(65535);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const text = z.string().min(1);

const schema = z.object({
  PORT: port.default(3978),
  /** Default: 0.0.0.0 with MicrosoftAppId, 127.0.0.1 without (see crossFieldProblems). */
  HOST: text.optional(),
  /** Accept unauthenticated bot activities on a non-loopback HOST (no MicrosoftAppId): a loud, explicit choice. */
  ALLOW_UNAUTHENTICATED_BOT: flag.default(false),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  DATA_DIR: text.default('./data'),
  MicrosoftAppId: text.optional(),
  MicrosoftAppPassword: text.optional(),
  MicrosoftAppTenantId: text.optional(),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  /** Comma-separated connector URL prefixes the bot may call and trust (an activity's serviceUrl). */
  BOT_SERVICE_URLS: z
    .string()
    .refine(validServiceUrlList, 'comma-separated http(s) URLs; plain http only for loopback')
    .optional(),
  /** Comma-separated hosts (`.suffix` for a domain and its subdomains) the bot may download files from. */
  TEAMS_FILE_HOSTS: z
    .string()
    .regex(/^\s*\.?[a-z0-9.-]+(\s*,\s*\.?[a-z0-9.-]+)*\s*$/i, 'comma-separated host names or .domain suffixes')
    .optional(),
  IMAP_HOST: text.optional(),
  IMAP_PORT: port.default(993),
  IMAP_USER: text.optional(),
  IMAP_PASSWORD: text.optional(),
  IMAP_SECURE: flag.default(true),
  IMAP_MAILBOX: text.default('INBOX'),
  SMTP_HOST: text.optional(),
  SMTP_PORT: port.default(587),
  SMTP_USER: text.optional(),
  SMTP_PASSWORD: text.optional(),
  SMTP_SECURE: flag.default(false),
  MAIL_FROM: z.email().optional(),
  /** Comma-separated sender domains served by mail intake; default: the directory's domains. */
  MAIL_ALLOWED_DOMAINS: z
    .string()
    .regex(/^[a-z0-9.-]+(\s*,\s*[a-z0-9.-]+)*$/i, 'comma-separated domains')
    .optional(),
  /** Trust Authentication-Results stamped by this server (e.g. Exchange Online) instead of checking DKIM/SPF/DMARC here. */
  MAIL_AUTHSERV_ID: text.optional(),
  MAIL_MAX_PER_SENDER_HOUR: z.coerce.number().int().min(1).default(30),
  /** How long one instance holds the desk mailbox after its last renewal; another takes over after it. */
  MAIL_LEASE_SECONDS: z.coerce.number().min(1).max(600).default(15),
  /** Folders of the desk mailbox mail is filed into; created at start when missing. */
  MAIL_FOLDER_PROCESSED: text.default('Procesados'),
  MAIL_FOLDER_QUARANTINE: text.default('Cuarentena'),
  MAIL_FOLDER_REFUSED: text.default('Rechazados'),
  /** How IMAP and SMTP sign in: a password, or an OAuth2 token (XOAUTH2) from the client-credentials flow. */
  MAIL_AUTH: z.enum(['password', 'oauth2']).default('password'),
  MAIL_OAUTH_TENANT_ID: text.optional(),
  MAIL_OAUTH_CLIENT_ID: text.optional(),
  MAIL_OAUTH_CLIENT_SECRET: text.optional(),
  /** Overrides https://login.microsoftonline.com/<tenant> (a national cloud, or a local stand-in in tests). */
  MAIL_OAUTH_AUTHORITY: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
  MAIL_OAUTH_SCOPE: text.default('https://outlook.office365.com/.default'),
  DIRECTORY_FILE: text.optional(),
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CEDULA_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Where people reach this service (links in mail and Teams cards), e.g. https://mesa.cjf.gob.mx. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Hours a provider's mailed action link stays valid. */
  PROVIDER_LINK_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(168),
  TZ_DEFAULT: text
    .refine(isIanaZone, 'must be an IANA time zone such as America/Mexico_City')
    .default('America/Mexico_City'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Whether on-site resolutions (4 → 7) also ask the requester to confirm and the judge to sign; the seed: no. */
  ONSITE_REQUIRES_VALIDATION: flag.default(false),
  /** Hours without an answer before the requester is reminded to validate (and between reminders). */
  VALIDATION_REMINDER_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** Who hears of new work for the desk: every analyst, or those on duty in the directory (`onDuty`). */
  ANALYST_ROUTING: z.enum(['all', 'roster']).default('all'),
  /**
   * A person's quiet window: after five messages in it, further notices wait for its end and
   * leave as one digest (a burst of new orders is a few messages, not thirty); 0: never.
   * Validation and signature requests are never held.
   */
  NOTIFY_DIGEST_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  /** Attempts on Teams before an ordinary failure falls back to email (403/404 falls back at once). */
  TEAMS_ATTEMPTS_BEFORE_EMAIL: z.coerce.number().int().min(1).max(10).default(2),
  /** Notices (or digests) each instance sends at once. */
  NOTIFY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** How long a claimed notice is held by an instance before another may retry it (after a crash). */
  NOTIFY_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  /** Seconds between recounts of the order gauge of /metrics (other instances' changes show after one); 0: never. */
  METRICS_RECONCILE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /**
   * How the centres' inventory labels look, as a regular expression (matched ignoring case):
   * intake finds inventory numbers in a report's text with it and links the asset.
   */
  INVENTORY_PATTERN: z
    .string()
    .max(200)
    .refine(isUsablePattern, 'must be a regular expression that does not match empty text')
    .default(String.raw`\bCJF-\d{6}\b`),
  /** Mesa (/desk/): the Entra ID tenant staff sign in from; with DESK_ENTRA_CLIENT_ID it enables Teams SSO and OpenID Connect. */
  DESK_ENTRA_TENANT_ID: z.guid('must be a GUID').optional(),
  /** The Entra app registration of the tab: the audience of Teams SSO tokens and the OpenID Connect client. */
  DESK_ENTRA_CLIENT_ID: z.guid('must be a GUID').optional(),
  /** Where the signing keys of Entra ID tokens are published; overridden for a national cloud or a local stand-in. */
  DESK_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** The issuer Entra tokens must name; default https://login.microsoftonline.com/<tenant>/v2.0. */
  DESK_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** The tab app's client secret: with it, Mesa in a browser signs people in by OpenID Connect (code + PKCE). */
  DESK_OIDC_CLIENT_SECRET: text.optional(),
  /** HMAC key of Mesa's session cookies; every instance on one database must share it. Unset: a key per process. */
  DESK_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

/** Every environment variable the service reads; README's configuration table documents each. */
export const SETTING_NAMES: readonly string[] = Object.keys(schema.shape);

/**
 * Rules between variables, checked on the raw strings so they are reported together with
 * the per-variable problems (zod skips refinements when a field already failed).
 */
function crossFieldProblems(env: Record<string, string>): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const need = (when: boolean, field: string, why: string) => {
    if (when && !env[field]) problems.push({ field, message: `is required ${why}` });
  };
  need(
    Boolean(env.MicrosoftAppId) && env.MicrosoftAppType !== 'UserAssignedMSI',
    'MicrosoftAppPassword',
    'when MicrosoftAppId is set',
  );
  need(env.MicrosoftAppType === 'SingleTenant', 'MicrosoftAppTenantId', 'when MicrosoftAppType is SingleTenant');
  const oauth2 = env.MAIL_AUTH === 'oauth2';
  need(Boolean(env.IMAP_HOST), 'IMAP_USER', 'when IMAP_HOST is set');
  need(Boolean(env.IMAP_HOST) && !oauth2, 'IMAP_PASSWORD', 'when IMAP_HOST is set and MAIL_AUTH is password');
  for (const f of ['MAIL_OAUTH_TENANT_ID', 'MAIL_OAUTH_CLIENT_ID', 'MAIL_OAUTH_CLIENT_SECRET'])
    need(oauth2, f, 'when MAIL_AUTH is oauth2');
  need(oauth2 && Boolean(env.SMTP_HOST), 'SMTP_USER', 'when MAIL_AUTH is oauth2 (the mailbox that sends)');
  need(Boolean(env.SMTP_HOST), 'MAIL_FROM', 'when SMTP_HOST is set');
  need(Boolean(env.SMTP_USER), 'SMTP_PASSWORD', 'when SMTP_USER is set');
  // Several instances on one database must share one key, and no production data may be
  // signed with a key nobody chose: a real deployment names it.
  need(
    Boolean(env.MONGODB_URI) || Boolean(env.MicrosoftAppId),
    'CEDULA_SECRET',
    'when MONGODB_URI or MicrosoftAppId is set (generate one with: openssl rand -base64 48)',
  );
  need(Boolean(env.DESK_ENTRA_CLIENT_ID), 'DESK_ENTRA_TENANT_ID', 'when DESK_ENTRA_CLIENT_ID is set');
  need(Boolean(env.DESK_ENTRA_TENANT_ID), 'DESK_ENTRA_CLIENT_ID', 'when DESK_ENTRA_TENANT_ID is set');
  const unauthenticated = !env.MicrosoftAppId;
  const allowUnauthenticated = env.ALLOW_UNAUTHENTICATED_BOT === 'true' || env.ALLOW_UNAUTHENTICATED_BOT === '1';
  if (unauthenticated && env.HOST && !isLoopback(env.HOST) && !allowUnauthenticated) {
    problems.push({
      field: 'HOST',
      message:
        'must be a loopback address (127.0.0.1, ::1) while MicrosoftAppId is unset, since the bot endpoint then accepts activities without authentication; set MicrosoftAppId, or ALLOW_UNAUTHENTICATED_BOT=true to accept that risk',
    });
  }
  if (!unauthenticated && allowUnauthenticated) {
    problems.push({
      field: 'ALLOW_UNAUTHENTICATED_BOT',
      message: 'cannot be true when MicrosoftAppId is set (the bot endpoint then always authenticates)',
    });
  }
  return problems;
}

export interface MailServerConfig {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly password?: string;
  readonly secure: boolean;
}

/** The whole, validated configuration. Frozen: nobody changes it after start-up. */
export interface Config {
  readonly port: number;
  /** Interface to listen on (0.0.0.0: all; 127.0.0.1: this machine only). */
  readonly host: string;
  /** ALLOW_UNAUTHENTICATED_BOT: unauthenticated bot activities accepted on any HOST, by explicit choice (warned at each start). */
  readonly allowUnauthenticatedBot: boolean;
  /** Unset: the service starts the embedded engine on `dataDir`. */
  readonly mongodbUri?: string;
  /** The database named in MONGODB_URI, else `mesa_servicio` (never the driver's `test`). */
  readonly databaseName: string;
  readonly dataDir: string;
  readonly bot: {
    readonly appId?: string;
    readonly appPassword?: string;
    readonly tenantId?: string;
    readonly appType?: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    /**
     * BOT_SERVICE_URLS: the connector addresses activities may name. Unset: the public Teams
     * service with an app id, loopback addresses without one (see bot/service-urls.ts).
     */
    readonly serviceUrls?: readonly string[];
    /**
     * TEAMS_FILE_HOSTS: where files sent in a chat may be downloaded from. Unset: the Teams and
     * SharePoint hosts with an app id, loopback without one (see bot/teams-files.ts).
     */
    readonly fileHosts?: readonly string[];
  };
  /** Undefined when IMAP_HOST is unset: the mail poller stays disabled. */
  readonly imap?: MailServerConfig & { readonly mailbox: string; readonly user: string };
  /** Set when MAIL_AUTH=oauth2: IMAP and SMTP sign in with a client-credentials token (XOAUTH2). */
  readonly mailOAuth?: {
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly authority?: string;
    readonly scope: string;
  };
  /** Undefined when SMTP_HOST is unset: no email channel. */
  readonly smtp?: MailServerConfig & { readonly from: string };
  /** Mail intake rules; `allowedDomains` undefined: the domains found in the directory. */
  readonly mail: {
    readonly allowedDomains?: readonly string[];
    readonly authservId?: string;
    readonly maxPerSenderPerHour: number;
    readonly leaseMs: number;
    /** Folders mail is filed into, by outcome. */
    readonly folders: { readonly processed: string; readonly quarantine: string; readonly refused: string };
  };
  /** DIRECTORY_FILE: loaded at every start when set (a file with errors leaves the stored one). */
  readonly directoryFile?: string;
  /** The example directory, loaded only when nothing is stored yet and DIRECTORY_FILE is unset. */
  readonly exampleDirectoryFile: string;
  /** Undefined: the read API refuses every request (401). */
  readonly apiToken?: string;
  /**
   * CEDULA_SECRET, the HMAC key of the Cédula verification codes; changing it makes every
   * issued Cédula read as tampered. Unset (embedded engine only): a key generated into the
   * data directory on the first start (services/cedula/cedula-secret.ts).
   */
  readonly cedulaSecret?: string;
  /** PUBLIC_BASE_URL without a trailing slash; unset: links in notices are paths on the service. */
  readonly publicBaseUrl?: string;
  /** PROVIDER_LINK_HOURS: how long a provider's mailed action link is valid. */
  readonly providerLinkMs: number;
  readonly defaultTimeZone: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Notification and validation policy; defaults follow the seed. */
  readonly notifications: {
    readonly onsiteRequiresValidation: boolean;
    readonly validationReminderMs: number;
    readonly analystRouting: 'all' | 'roster';
    readonly digestWindowMs: number;
    readonly teamsAttemptsBeforeEmail: number;
    readonly concurrency: number;
    readonly leaseMs: number;
  };
  /** /metrics: how often the order gauge is recounted from the database (0: only at start). */
  readonly metrics: { readonly reconcileMs: number };
  /** INVENTORY_PATTERN, compiled case-insensitive. */
  readonly inventoryPattern: RegExp;
  /** Mesa, the staff's page under /desk/ (services/desk). */
  readonly desk: DeskConfig;
}

/** How people sign in to Mesa; `entra` undefined: only the local sign-in, and only on a loopback HOST. */
export interface DeskConfig {
  readonly entra?: {
    readonly tenantId: string;
    readonly clientId: string;
    readonly jwksUrl: string;
    readonly oidcIssuer: string;
    /** Unset: browser sign-in (OpenID Connect) is not offered; Teams SSO still works. */
    readonly clientSecret?: string;
  };
  /** Unset: a random key at each start (sessions end with the process and are not shared). */
  readonly sessionSecret?: string;
  /** The built page (packages/desk-web/dist). */
  readonly staticDir: string;
}

export const DEFAULT_DATABASE = 'mesa_servicio';

/** The path segment of a MongoDB URI (`mongodb://h1,h2/<db>?opts`), else DEFAULT_DATABASE. */
export function databaseNameOf(uri: string | undefined): string {
  const name = uri?.match(/^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/)?.[1];
  return name ? decodeURIComponent(name) : DEFAULT_DATABASE;
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const v of Object.values(value)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(value);
}

/** Empty strings in an env file mean "not set", as they do for most tools. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''),
  );
}

/**
 * Parses the environment once, at start-up. Every problem is reported in one VALIDATION
 * AppError (`details.problems` lists `{field, message}`), so an operator fixes the whole
 * file in one go instead of one restart per mistake. Secrets never appear in messages.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvFile().env): Config {
  const raw = withoutEmpty(env);
  const parsed = schema.safeParse(raw);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? '(environment)'), message: i.message }))),
    ...crossFieldProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) {
    const list = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new AppError(
      'VALIDATION',
      `Invalid configuration: ${list}`,
      `La configuración del servicio no es válida: ${list}`,
      { problems },
    );
  }
  const e = parsed.data;
  const root = packageRoot();
  return deepFreeze<Config>({
    port: e.PORT,
    host: e.HOST ?? (e.MicrosoftAppId ? '0.0.0.0' : '127.0.0.1'),
    allowUnauthenticatedBot: !e.MicrosoftAppId && e.ALLOW_UNAUTHENTICATED_BOT,
    mongodbUri: e.MONGODB_URI,
    databaseName: databaseNameOf(e.MONGODB_URI),
    dataDir: resolve(e.DATA_DIR),
    bot: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      tenantId: e.MicrosoftAppTenantId,
      appType: e.MicrosoftAppType,
      serviceUrls: e.BOT_SERVICE_URLS ? splitList(e.BOT_SERVICE_URLS) : undefined,
      fileHosts: e.TEAMS_FILE_HOSTS ? splitList(e.TEAMS_FILE_HOSTS.toLowerCase()) : undefined,
    },
    imap:
      e.IMAP_HOST && e.IMAP_USER && (e.IMAP_PASSWORD || e.MAIL_AUTH === 'oauth2')
        ? {
            host: e.IMAP_HOST,
            port: e.IMAP_PORT,
            user: e.IMAP_USER,
            password: e.IMAP_PASSWORD,
            secure: e.IMAP_SECURE,
            mailbox: e.IMAP_MAILBOX,
          }
        : undefined,
    smtp:
      e.SMTP_HOST && e.MAIL_FROM
        ? {
            host: e.SMTP_HOST,
            port: e.SMTP_PORT,
            user: e.SMTP_USER,
            password: e.SMTP_PASSWORD,
            secure: e.SMTP_SECURE,
            from: e.MAIL_FROM,
          }
        : undefined,
    mailOAuth:
      e.MAIL_AUTH === 'oauth2' && e.MAIL_OAUTH_TENANT_ID && e.MAIL_OAUTH_CLIENT_ID && e.MAIL_OAUTH_CLIENT_SECRET
        ? {
            tenantId: e.MAIL_OAUTH_TENANT_ID,
            clientId: e.MAIL_OAUTH_CLIENT_ID,
            clientSecret: e.MAIL_OAUTH_CLIENT_SECRET,
            authority: e.MAIL_OAUTH_AUTHORITY,
            scope: e.MAIL_OAUTH_SCOPE,
          }
        : undefined,
    mail: {
      allowedDomains: e.MAIL_ALLOWED_DOMAINS?.split(',').map((d) => d.trim().toLowerCase()),
      authservId: e.MAIL_AUTHSERV_ID,
      maxPerSenderPerHour: e.MAIL_MAX_PER_SENDER_HOUR,
      leaseMs: e.MAIL_LEASE_SECONDS * 1000,
      folders: {
        processed: e.MAIL_FOLDER_PROCESSED,
        quarantine: e.MAIL_FOLDER_QUARANTINE,
        refused: e.MAIL_FOLDER_REFUSED,
      },
    },
    directoryFile: e.DIRECTORY_FILE ? resolve(e.DIRECTORY_FILE) : undefined,
    exampleDirectoryFile: join(root, 'services', 'directory', 'example-directory.json'),
    apiToken: e.API_TOKEN,
    cedulaSecret: e.CEDULA_SECRET,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    providerLinkMs: Math.round(e.PROVIDER_LINK_HOURS * 3600_000),
    defaultTimeZone: e.TZ_DEFAULT,
    logLevel: e.LOG_LEVEL,
    notifications: {
      onsiteRequiresValidation: e.ONSITE_REQUIRES_VALIDATION,
      validationReminderMs: Math.round(e.VALIDATION_REMINDER_HOURS * 3600_000),
      analystRouting: e.ANALYST_ROUTING,
      digestWindowMs: Math.round(e.NOTIFY_DIGEST_SECONDS * 1000),
      teamsAttemptsBeforeEmail: e.TEAMS_ATTEMPTS_BEFORE_EMAIL,
      concurrency: e.NOTIFY_CONCURRENCY,
      leaseMs: e.NOTIFY_LEASE_SECONDS * 1000,
    },
    metrics: { reconcileMs: e.METRICS_RECONCILE_SECONDS * 1000 },
    inventoryPattern: new RegExp(e.INVENTORY_PATTERN, 'i'),
    desk: {
      entra:
        e.DESK_ENTRA_TENANT_ID && e.DESK_ENTRA_CLIENT_ID
          ? {
              tenantId: e.DESK_ENTRA_TENANT_ID,
              clientId: e.DESK_ENTRA_CLIENT_ID,
              jwksUrl: e.DESK_JWKS_URL ?? 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
              oidcIssuer: (
                e.DESK_OIDC_ISSUER ?? `https://login.microsoftonline.com/${e.DESK_ENTRA_TENANT_ID}/v2.0`
              ).replace(/\/+$/, ''),
              clientSecret: e.DESK_OIDC_CLIENT_SECRET,
            }
          : undefined,
      sessionSecret: e.DESK_SESSION_SECRET,
      staticDir: join(root, 'packages', 'desk-web', 'dist'),
    },
  });
}

/**
 * Choices the configuration allows but an operator must hear about at every start: the
 * service logs each as a warning.
 */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.allowUnauthenticatedBot) {
    warnings.push(
      `ALLOW_UNAUTHENTICATED_BOT=true: the bot endpoint on ${config.host} accepts activities without authentication; anyone who reaches it can act as any person of the directory`,
    );
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// The env file and the start-up summary of the configuration.

/**
 * The environment with the variables of an env file added (`ENV_FILE`, else `.env` in the
 * working directory). A variable set, non-empty, in the environment wins over the file, so a
 * process manager or container can override one value without editing the file. A missing
 * default `.env` is normal; a missing `ENV_FILE` is an error, since someone named it.
 */
export function readEnvFile(env: NodeJS.ProcessEnv = process.env): { env: NodeJS.ProcessEnv; file?: string } {
  const named = env.ENV_FILE?.trim();
  const file = resolve(named || '.env');
  if (!existsSync(file)) {
    if (!named) return { env };
    throw new AppError(
      'VALIDATION',
      `ENV_FILE ${file} does not exist`,
      `No existe el archivo de configuración ENV_FILE (${file}).`,
      {
        problems: [{ field: 'ENV_FILE', message: `${file} does not exist` }],
      },
    );
  }
  const fromFile = parseEnv(readFileSync(file, 'utf8'));
  const merged: NodeJS.ProcessEnv = { ...fromFile };
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && (value.trim() !== '' || !(key in fromFile))) merged[key] = value;
  return { env: merged, file };
}

const REDACTED = '[redacted]';
/** Keys of Config holding a secret, at any depth. */
const SECRET_KEYS = new Set(['appPassword', 'password', 'clientSecret', 'apiToken', 'cedulaSecret', 'sessionSecret']);

/** A MongoDB URI without its password (`mongodb://user:[redacted]@host/db`). */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]+):[^@/]*@/, `$1:${REDACTED}@`);
}

/**
 * The configuration as logged at every start: every value an operator may need to check,
 * each secret replaced by `[redacted]` when set (so "set" and "unset" stay visible) and the
 * MongoDB URI without its password.
 */
export function describeConfig(config: Config): Record<string, unknown> {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== undefined ? REDACTED : walk(v)]),
    );
  };
  const described = walk(config) as Record<string, unknown>;
  if (config.mongodbUri) described.mongodbUri = redactUri(config.mongodbUri);
  return described;
}
