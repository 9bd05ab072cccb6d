import type { NotificationChannel, NotificationDoc } from '../outbox/types';

/**
 * Notices that ask the person to act now (answer a validation, sign) are never held back
 * for a digest: the card with its buttons is the point of them.
 */
export const NEVER_HELD_EVENTS: readonly string[] = ['validation_request', 'validation_reminder', 'signature_request'];
const NEVER_HELD = new Set(NEVER_HELD_EVENTS);

/**
 * Notices that answer one thing the person did (the receipt of each mailed report, threaded
 * to that mail): within the quiet window's allowance each leaves on its own, even when
 * several are due together; only those beyond it are held and leave as one digest.
 */
export const ONE_BY_ONE_EVENTS: readonly string[] = ['order_reported'];

const isProvider = (recipient: NotificationDoc['recipient']) =>
  recipient.role === 'provider_contact' || recipient.role === 'provider';

/**
 * The key a notice is gathered into a person's digest under, or undefined when it always
 * leaves on its own (it asks to act now, or goes to a provider's mailbox).
 */
export function batchKey(doc: Pick<NotificationDoc, 'event' | 'recipient'>): string | undefined {
  if (NEVER_HELD.has(doc.event) || !doc.recipient.personId) return undefined;
  if (isProvider(doc.recipient)) return undefined;
  return doc.recipient.personId;
}

/**
 * The channels that may carry a notice to this recipient, in order of preference. Provider
 * contacts sit outside the Teams tenant: always email. Everyone else: Teams first when a
 * live conversation reference exists (the channel's `canReach`), email otherwise.
 */
export function channelsFor(
  recipient: NotificationDoc['recipient'],
  channels: readonly NotificationChannel[],
): readonly NotificationChannel[] {
  if (isProvider(recipient)) return channels.filter((c) => c.name !== 'teams');
  return channels;
}
