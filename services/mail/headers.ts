import { createHash } from 'node:crypto';

/**
 * Header every mail we send carries, holding the notification id (or `reply:<key>` for an
 * intake answer). When it comes back — a bounce quoting our headers, an auto-reply, our own
 * mail looping — intake recognises it and never acts on it.
 */
export const OUR_HEADER = 'X-CJPF-Mesa-Ref';

/** Folio tag as it appears in subjects: `[OS-2026-000123]`. */
export const FOLIO_TAG = /\[(OS-\d{4}-\d{6})\]/i;

export function folioTag(folio: string): string {
  return `[${folio}]`;
}

function domainOf(address: string): string {
  return address.split('@')[1]?.toLowerCase() || 'localhost';
}

/** A stable Message-ID for one notification: a retried send carries the same id. */
export function notificationMessageId(notificationId: string, from: string): string {
  const hash = createHash('sha256').update(notificationId).digest('hex').slice(0, 32);
  return `<n.${hash}@${domainOf(from)}>`;
}

/** The thread root every mail about an order refers to, so clients group them. */
export function orderThreadId(orderId: string, from: string): string {
  return `<os.${orderId}@${domainOf(from)}>`;
}

/**
 * Headers that mark our mail as automated (RFC 3834) and keep auto-responders (Exchange OOF
 * included) from answering it: `auto-replied` for a direct answer to a person's mail (the
 * receipt of a mailed report, the refusal of an outside sender), `auto-generated` otherwise.
 */
export function automatedHeaders(
  ref: string,
  kind: 'auto-generated' | 'auto-replied' = 'auto-generated',
): Record<string, string> {
  return { 'Auto-Submitted': kind, 'X-Auto-Response-Suppress': 'All', Precedence: 'bulk', [OUR_HEADER]: ref };
}
