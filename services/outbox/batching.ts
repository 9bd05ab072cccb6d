import type { Collection } from 'mongodb';
import type { NotificationDoc } from './types';

/** One quiet window per person: while `until` lies ahead, new notices for them wait for it. */
export interface QuietWindowDoc {
  _id: string;
  until: Date;
}

export const QUIET_WINDOWS_COLLECTION = 'notificationWindows';

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

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 11000;
}

/**
 * Opens the person's quiet window for `ms` from `now` when none is open, atomically across
 * instances: an update that only matches an expired window, else an insert that only one
 * instance can win. Returns null when this caller opened it (send now), or the end of the
 * window already open (hold the notice until then).
 */
export async function openQuietWindow(windows: Collection<QuietWindowDoc>, key: string, now: Date, ms: number): Promise<Date | null> {
  const until = new Date(now.getTime() + ms);
  for (let tries = 0; tries < 3; tries += 1) {
    const renewed = await windows.updateOne({ _id: key, until: { $lte: now } }, { $set: { until } });
    if (renewed.matchedCount === 1) return null;
    try {
      await windows.insertOne({ _id: key, until });
      return null;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const open = await windows.findOne({ _id: key });
    if (open && open.until > now) return open.until;
  }
  return until;
}
