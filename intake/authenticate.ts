import { authenticate } from 'mailauth';
import type { IncomingMail } from './parse-mail';

/** `pass`: DMARC passed; `none`: the domain publishes no policy; `fail`: anything else. */
export type AuthVerdict = 'pass' | 'none' | 'fail';

/** Same contract as `dns.promises.resolve`. */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

/**
 * How a mail's sender is checked. `mailauth`: DKIM/SPF/DMARC computed here with the given
 * resolver (tests pass a local table; nothing else may query DNS), the client address taken
 * from the topmost Received header our server added. `received`: trust the
 * Authentication-Results header stamped by the receiving server whose authserv-id is given
 * (Exchange Online, for instance) — headers from any other authserv-id are ignored.
 */
export type MailAuthPolicy =
  { mode: 'mailauth'; resolver: DnsResolver; mta?: string } | { mode: 'received'; authservId: string };

export interface MailAuthenticator {
  verdict(mail: IncomingMail): Promise<AuthVerdict>;
}

function fromDmarcResult(result: string | undefined): AuthVerdict {
  if (result === 'pass') return 'pass';
  if (result === 'none' || result === undefined) return 'none';
  return 'fail';
}

export function createAuthenticator(policy: MailAuthPolicy): MailAuthenticator {
  if (policy.mode === 'received') {
    const id = policy.authservId.toLowerCase();
    return {
      async verdict(mail) {
        for (const value of mail.headers.get('authentication-results') ?? []) {
          const [serv = '', ...rest] = value.split(';');
          const [name = ''] = serv.trim().split(/\s+/);
          if (name.toLowerCase() !== id) continue;
          const dmarc = /\bdmarc\s*=\s*([a-z]+)/i.exec(rest.join(';'));
          return fromDmarcResult(dmarc?.[1]?.toLowerCase());
        }
        return 'none';
      },
    };
  }
  return {
    async verdict(mail) {
      const result = await authenticate(mail.source, {
        trustReceived: true,
        resolver: policy.resolver as never,
        mta: policy.mta ?? 'intake.local',
        disableArc: true,
        disableBimi: true,
      } as Parameters<typeof authenticate>[1]);
      const dmarc = result.dmarc as { status?: { result?: string } } | false | undefined;
      return fromDmarcResult(dmarc ? dmarc.status?.result : undefined);
    },
  };
}
