import type { ObjectId } from 'mongodb';
import type { PendingNotice, ServiceOrder } from '../orders/types';

/**
 * Life of a notification: `pending` (due at `dueAt`) → `claimed` by one dispatcher until
 * `leaseUntil` → `sent` (final) or back to `pending` with a later `dueAt` after a failed
 * attempt, or `failed` (final) once attempts run out or nothing can reach the recipient.
 */
export type NotificationState = 'pending' | 'claimed' | 'sent' | 'failed';

/**
 * How a final notification ended, as support staff read it: sent on its preferred channel
 * (`sent_teams`, `sent_email`), sent on a later channel after the preferred one failed
 * (`fell_back`, with the reason), or `failed` (with the reason).
 */
export type NotificationOutcome = `sent_${string}` | 'fell_back' | 'failed';

/** One attempt as recorded on the notification, for support staff. */
export interface NotificationAttempt {
  at: Date;
  by: string;
  outcome: 'sent' | 'error';
  channel?: string;
  detail?: string;
}

/**
 * A notice handed over from an order's outbox. `_id` is the notice's stable id, so the relay
 * can insert it any number of times and it exists once; the payload holds ids only and the
 * sender re-reads the order before sending.
 */
export interface NotificationDoc {
  _id: string;
  orderId: ObjectId;
  event: string;
  recipient: PendingNotice['recipient'];
  state: NotificationState;
  /** Claims made so far; a crash after a claim counts, so a poison notice ends as failed. */
  attempts: number;
  dueAt: Date;
  /** Set when the notice was held for its recipient's digest (a full quiet window): it leaves with the others held. */
  held?: true;
  leaseUntil?: Date;
  claimedBy?: string;
  /** Random per claim: only the holder of the current claim may record the outcome. */
  claimToken?: string;
  channel?: string;
  /** Set with the final state; see NotificationOutcome. */
  outcome?: NotificationOutcome;
  /** Why it failed, or why the preferred channel was left for another (fell_back). */
  reason?: string;
  sentAt?: Date;
  failedAt?: Date;
  /** False until the outcome has also been written to the order's history. */
  historyRecorded?: boolean;
  log: NotificationAttempt[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A way to reach a person (Teams, email, a test double). `send` must throw on failure; it
 * receives the notification id, which a channel can use as an idempotency key.
 */
export interface NotificationChannel {
  readonly name: string;
  canReach(recipient: PendingNotice['recipient']): boolean | Promise<boolean>;
  send(notification: NotificationDoc, order: ServiceOrder): Promise<void>;
  /**
   * Optional: one message standing for several notices to the same person (a digest). When
   * absent, a batch is sent notice by notice. Must throw on failure; nothing of the batch
   * counts as sent then.
   */
  sendDigest?(items: readonly { doc: NotificationDoc; order: ServiceOrder }[]): Promise<void>;
}

export const NOTIFICATIONS_COLLECTION = 'notifications';
export const ORDERS_COLLECTION = 'orders';
