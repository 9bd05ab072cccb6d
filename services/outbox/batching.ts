import type { Collection } from 'mongodb';
import type { NotificationDoc } from './types';
import { isDuplicateKey } from '../mongo-errors';

/**
 * One quiet window per person: until `until`, the person may get `sent` messages (at most the
 * dispatcher's allowance); further notices wait for the window's end.
 */
export interface QuietWindowDoc {
  _id: string;
  until: Date;
  /** Messages sent to the person in this window; absent on windows from older versions (full). */
  sent?: number;
}

export const QUIET_WINDOWS_COLLECTION = 'notificationWindows';

/** Messages a person may get within one quiet window before further notices wait for its end. */
export const DEFAULT_DIGEST_ALLOWANCE = 5;

/** True when the window is still open at `now` and has no room left for another message. */
export function isFull(window: QuietWindowDoc, now: Date, allowance: number): boolean {
  return window.until > now && (window.sent ?? allowance) >= allowance;
}

/**
 * Notices that ask the person to act now (answer a validation, sign) are never held back
 * for a digest: the card with its buttons is the point of them.
 */
export const NEVER_HELD_EVENTS: readonly string[] = ['validation_request', 'validation_reminder', 'signature_request'];
const NEVER_HELD = new Set(NEVER_HELD_EVENTS);

/** The key a notice is batched under, or undefined when it is sent on its own. */
export function batchKey(doc: Pick<NotificationDoc, 'event' | 'recipient'>): string | undefined {
  if (NEVER_HELD.has(doc.event) || !doc.recipient.personId) return undefined;
  if (doc.recipient.role === 'provider_contact' || doc.recipient.role === 'provider') return undefined;
  return doc.recipient.personId;
}

/**
 * Admits one message to the person's quiet window, atomically across instances: a new window
 * (none open, or the last one over) or one with room left (fewer than `allowance` messages
 * sent in it) takes the message and the caller sends now (null). A full window answers its
 * end, when the held notices leave together as one digest. So a requester's few quick status
 * changes arrive at once, and only a real burst (an analyst and 30 new orders) is grouped.
 */
export async function admitToQuietWindow(windows: Collection<QuietWindowDoc>, key: string, now: Date, ms: number, allowance: number): Promise<Date | null> {
  const until = new Date(now.getTime() + ms);
  for (let tries = 0; tries < 3; tries += 1) {
    const renewed = await windows.updateOne({ _id: key, until: { $lte: now } }, { $set: { until, sent: 1 } });
    if (renewed.matchedCount === 1) return null;
    const counted = await windows.updateOne({ _id: key, until: { $gt: now }, sent: { $lt: allowance } }, { $inc: { sent: 1 } });
    if (counted.matchedCount === 1) return null;
    try {
      await windows.insertOne({ _id: key, until, sent: 1 });
      return null;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const open = await windows.findOne({ _id: key });
    if (open && isFull(open, now, allowance)) return open.until;
  }
  return until;
}
