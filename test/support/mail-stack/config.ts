import { createHash } from 'node:crypto';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { first } from '../present';

/** A mailbox account: the full address is both the IMAP login and the SMTP recipient. */
export interface MailUser {
  user: string;
  password: string;
}

export interface StackPorts {
  imap: number;
  smtp: number;
  lmtp: number;
}

/** System ids the daemons run as (Debian's packages create these users). */
const MAIL_UID = 8; // `mail`: owner of every maildir
const EXIM_USER = 'Debian-exim';

const ADDRESS = /^[^\s:@"\\]+@[a-z0-9.-]+$/i;

/**
 * Checks users and domains before anything is written: every user must live in one of the
 * domains, and passwords may not hold line breaks (they are stored one per line).
 */
export function validateAccounts(users: MailUser[], domains: string[]): void {
  if (users.length === 0) throw new Error('mail-stack: at least one user is required');
  if (domains.length === 0) throw new Error('mail-stack: at least one domain is required');
  const seen = new Set<string>();
  for (const { user, password } of users) {
    if (!ADDRESS.test(user)) throw new Error(`mail-stack: not a usable address: ${user}`);
    const domain = (user.split('@')[1] ?? '').toLowerCase();
    if (!domains.some((d) => d.toLowerCase() === domain)) {
      throw new Error(`mail-stack: ${user} is outside the stack's domains (${domains.join(', ')})`);
    }
    if (/[\r\n\0]/.test(password) || password.length === 0) {
      throw new Error(`mail-stack: password of ${user} is empty or holds a line break`);
    }
    if (seen.has(user.toLowerCase())) throw new Error(`mail-stack: duplicate user ${user}`);
    seen.add(user.toLowerCase());
  }
  for (const d of domains) {
    if (!/^[a-z0-9.-]+$/i.test(d)) throw new Error(`mail-stack: not a usable domain: ${d}`);
  }
}

/** Fills `{{NAME}}` placeholders; an unknown placeholder is an error, not an empty string. */
export function render(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`mail-stack: no value for {{${name}}}`);
    return String(values[name]);
  });
}

/** Dovecot's `oauth2` passdb: XOAUTH2 tokens checked at an introspection endpoint. */
export interface OAuth2Passdb {
  /** e.g. http://127.0.0.1:<port>/introspect; Dovecot POSTs `token=<token>` to it. */
  introspectionUrl: string;
  /** Field of the introspection answer holding the login name; default `email`. */
  usernameAttribute?: string;
}

export interface StackFiles {
  dovecotConf: string;
  eximConf: string;
  dovecotLog: string;
  eximLogDir: string;
}

/**
 * Writes both configurations and the account files into `dir`. Layout:
 * `dovecot/` (run, state, users), `exim/` (spool, logs, recipients, passwords, owned by the
 * Exim user because Exim drops root when given `-C`), `mail/` (maildirs, owned by `mail`).
 */
export async function writeStackFiles(
  dir: string,
  instance: string,
  ports: StackPorts,
  users: MailUser[],
  domains: string[],
  oauth2?: OAuth2Passdb,
  deskFolders = true,
): Promise<StackFiles> {
  const eximIds = await systemIds(EXIM_USER);
  for (const sub of ['dovecot/run', 'dovecot/state', 'log', 'exim/spool', 'exim/log', 'mail']) {
    await mkdir(join(dir, sub), { recursive: true, mode: 0o755 });
  }
  await chown(join(dir, 'mail'), MAIL_UID, MAIL_UID);

  const lower = users.map((u) => ({ address: u.user.toLowerCase(), password: u.password }));
  const passwd = lower.map(({ address, password }) => {
    const [local = '', domain = ''] = address.split('@');
    const home = join(dir, 'mail', domain, local);
    const b64 = Buffer.from(password, 'utf8').toString('base64');
    return `${address}:{PLAIN.b64}${b64}:${MAIL_UID}:${MAIL_UID}::${home}::`;
  });
  await writeFile(join(dir, 'dovecot/users'), passwd.join('\n') + '\n', { mode: 0o644 });
  await writeFile(join(dir, 'exim/recipients'), lower.map((u) => u.address).join('\n') + '\n');
  const digests = lower.map((u) => `${u.address}: ${createHash('sha256').update(u.password, 'utf8').digest('hex')}`);
  await writeFile(join(dir, 'exim/passwords'), digests.join('\n') + '\n', { mode: 0o600 });

  const values = {
    DIR: dir,
    INSTANCE: instance,
    IMAP_PORT: ports.imap,
    SMTP_PORT: ports.smtp,
    LMTP_PORT: ports.lmtp,
    FIRST_DOMAIN: first(domains, 'a mail domain').toLowerCase(),
    DOMAINS: domains.map((d) => d.toLowerCase()).join(' : '),
    EXIM_USER,
    EXIM_GROUP: EXIM_USER,
    // Dovecot creates these in every mailbox on first use; without them a mailbox starts as a
    // real one does, with the INBOX only.
    DESK_FOLDERS: deskFolders
      ? ['Procesados', 'Cuarentena', 'Rechazados'].map((f) => `  mailbox ${f} {\n    auto = subscribe\n  }\n`).join('')
      : '',
    OAUTH_MECHANISMS: oauth2 ? ' xoauth2' : '',
    OAUTH_PASSDB: oauth2
      ? `passdb {\n  driver = oauth2\n  mechanisms = xoauth2\n  args = ${join(dir, 'dovecot/oauth2.conf')}\n}`
      : '',
    // SMTP XOAUTH2: Exim hands the SASL exchange to this Dovecot's auth process over its
    // client socket (open to the Exim user only), so SMTP tokens meet the same oauth2 passdb.
    OAUTH_AUTH_SOCKET: oauth2
      ? `service auth {\n  unix_listener auth-client {\n    user = ${EXIM_USER}\n    mode = 0600\n  }\n}`
      : '',
    OAUTH_AUTHENTICATOR: oauth2
      ? [
          '# XOAUTH2 is checked by Dovecot (its oauth2 passdb asks the introspection endpoint).',
          'xoauth2:',
          '  driver = dovecot',
          '  public_name = XOAUTH2',
          `  server_socket = ${join(dir, 'dovecot/run/auth-client')}`,
          '  server_set_id = $auth1',
        ].join('\n')
      : '',
  };
  if (oauth2) {
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(oauth2.introspectionUrl))
      throw new Error('mail-stack: introspection must be on 127.0.0.1');
    const settings = [
      `introspection_mode = post`,
      `introspection_url = ${oauth2.introspectionUrl}`,
      `username_attribute = ${oauth2.usernameAttribute ?? 'email'}`,
      `active_attribute = active`,
      `active_value = true`,
    ];
    await writeFile(join(dir, 'dovecot/oauth2.conf'), settings.join('\n') + '\n', { mode: 0o644 });
  }
  const files: StackFiles = {
    dovecotConf: join(dir, 'dovecot.conf'),
    eximConf: join(dir, 'exim.conf'),
    dovecotLog: join(dir, 'log/dovecot.log'),
    eximLogDir: join(dir, 'exim/log'),
  };
  await writeFile(files.dovecotConf, render(await template('dovecot.conf.tmpl'), values));
  await writeFile(files.eximConf, render(await template('exim.conf.tmpl'), values));
  for (const path of ['exim', 'exim/spool', 'exim/log', 'exim/passwords', 'exim/recipients']) {
    await chown(join(dir, path), eximIds.uid, eximIds.gid);
  }
  return files;
}

async function template(name: string): Promise<string> {
  return readFile(join(__dirname, name), 'utf8');
}

/** uid and gid of a system user, read from /etc/passwd (no extra dependency, no NSS call). */
async function systemIds(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`mail-stack: system user ${name} missing; run test/support/mail-stack/install.sh`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
