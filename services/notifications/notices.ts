import type { ObjectId } from 'mongodb';
import type { PendingNotice } from '../orders/types';

/** Someone a notice may be addressed to: a directory person, a bare email, or both. */
export interface Addressee {
  personId?: string;
  email?: string;
}

export type RecipientRole = PendingNotice['recipient']['role'];

/**
 * The key a person is told under: their directory id, else their email. Two notices with the
 * same key in one change are the same person, however they were looked up.
 */
export function recipientKey(to: Addressee): string | undefined {
  if (to.personId) return to.personId;
  if (to.email) return `email:${to.email.toLowerCase()}`;
  return undefined;
}

/**
 * The notice of `event` for one person, or undefined when they can be reached by neither id
 * nor email. Its id is `${orderId}:${occasion}:${recipientKey}`: `occasion` names what
 * happened to the order (`<version>:<event>` for a change, `sla:<clock>:<threshold>`, …),
 * so the same occasion always yields the same ids and a retry can never queue it twice.
 */
export function noticeTo(
  orderId: ObjectId,
  occasion: string,
  event: string,
  to: Addressee,
  role: RecipientRole,
  now: Date,
): PendingNotice | undefined {
  const key = recipientKey(to);
  if (!key) return undefined;
  const recipient: PendingNotice['recipient'] = { role };
  if (to.personId) recipient.personId = to.personId;
  if (to.email) recipient.email = to.email;
  return { id: `${orderId.toHexString()}:${occasion}:${key}`, event, recipient, createdAt: now };
}

/** A notice owed, before it has an id: what happened, and to whom in which role. */
export interface NoticeDraft {
  occasion: string;
  event: string;
  to: Addressee;
  role: RecipientRole;
}

/**
 * One notice per person among `drafts` (the first draft that reaches a person wins, whether
 * they are known by id or by email); unreachable people are skipped.
 */
export function noticesTo(orderId: ObjectId, drafts: readonly NoticeDraft[], now: Date): PendingNotice[] {
  const told = new Set<string>();
  const notices: PendingNotice[] = [];
  for (const d of drafts) {
    const keys = [d.to.personId, d.to.email ? `email:${d.to.email.toLowerCase()}` : undefined].filter(
      (k): k is string => Boolean(k),
    );
    if (keys.length === 0 || keys.some((k) => told.has(k))) continue;
    keys.forEach((k) => told.add(k));
    notices.push(noticeTo(orderId, d.occasion, d.event, d.to, d.role, now)!);
  }
  return notices;
}

/** An order update: the parts a queueing write adds to. */
export interface OrderUpdate {
  $set?: Record<string, unknown>;
  $push?: Record<string, unknown>;
  $inc?: Record<string, number>;
  $unset?: Record<string, ''>;
}

/**
 * `update` that also queues `notices` on the order, in the same write: they join its outbox
 * and the order is flagged for the relay (`outboxPending`, indexed), which moves them to the
 * notification queue only once this write is stored.
 */
export function queueing<U extends OrderUpdate>(update: U, notices: readonly PendingNotice[]): U {
  if (notices.length === 0) return update;
  return {
    ...update,
    $set: { ...update.$set, outboxPending: true },
    $push: { ...update.$push, outbox: { $each: [...notices] } },
  };
}

/** The outbox fields of a new order carrying `notices`. */
export function queuedOnInsert(notices: readonly PendingNotice[]): { outbox: PendingNotice[]; outboxPending?: true } {
  return notices.length > 0 ? { outbox: [...notices], outboxPending: true } : { outbox: [] };
}
