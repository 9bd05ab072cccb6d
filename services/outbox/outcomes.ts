import type { Collection } from 'mongodb';
import type { Logger } from '../logger';
import type { ServiceOrder } from '../orders/types';
import { recordOutcomesOnOrders } from './history';
import type { NotificationAttempt, NotificationDoc, NotificationOutcome } from './types';

/** `held`: put back to wait for the recipient's digest window. */
export type DispatchOutcome = 'sent' | 'retry' | 'failed' | 'lost_claim' | 'held';

/** What became of an attempt: final (`sent`, `failed`) or to be retried (`pending`). */
export type FinishResult = {
  state: 'sent' | 'failed' | 'pending';
  outcome?: NotificationOutcome;
  channel?: string;
  reason?: string;
};

/** Final outcomes whose order-history entries are written together after a batch. */
export type Deferred = NotificationDoc[];

export interface OutcomeOptions {
  notifications: Collection<NotificationDoc>;
  orders: Collection<ServiceOrder>;
  instanceId: string;
  now: () => Date;
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  /** Told each stored outcome (`retry` for a failed attempt that will be tried again), for metrics. */
  onOutcome?: (outcome: { channel?: string; outcome: string }, count: number) => void;
}

/** Delay before attempt `attempts + 1`: base · 2^(attempts − 1), capped. */
export function backoffDelay(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Stores what became of each attempt, on the notification and (for final outcomes) on the
 * order's history. Only the holder of the current claim may store an outcome: each write
 * names the notice's claim token, so a notice whose lease ran out and was claimed elsewhere
 * is left alone, and its own write says so.
 */
export class Outcomes {
  constructor(private readonly o: OutcomeOptions) {}

  /** After a failed attempt: retried later with backoff, or failed for good after `maxAttempts`. */
  afterError(doc: NotificationDoc, reason: string): FinishResult {
    return doc.attempts >= this.o.maxAttempts
      ? { state: 'failed', outcome: 'failed', reason }
      : { state: 'pending', reason };
  }

  /**
   * Stores one outcome for notices this instance holds. History entries of final outcomes go
   * into `deferred` when given (written with the rest of the batch), else at once.
   */
  async store(
    docs: readonly NotificationDoc[],
    result: FinishResult,
    log: Logger,
    deferred?: Deferred,
  ): Promise<DispatchOutcome> {
    const now = this.o.now();
    const final = result.state !== 'pending';
    const line = this.attemptLine(now, result);
    const sets = docs.map((claimed) => this.outcomeSet(claimed, result, now));
    const stored = await Promise.all(docs.map((claimed, i) => this.write(claimed, sets[i]!, line)));
    let kept = docs.map((doc, i) => ({ ...doc, ...sets[i] }) as NotificationDoc);
    if (stored.some((ok) => !ok)) {
      log.warn(
        { state: result.state, lost: docs.filter((_, i) => !stored[i]).map((d) => d._id) },
        'claim lost before the outcome was stored (lease expired)',
      );
      kept = kept.filter((_, i) => stored[i]);
    }
    if (kept.length > 0) {
      this.o.onOutcome?.(
        { channel: result.channel, outcome: result.outcome ?? (result.state === 'pending' ? 'retry' : result.state) },
        kept.length,
      );
      log.info(
        {
          state: result.state,
          channel: result.channel,
          attempts: docs[0]!.attempts,
          reason: result.reason,
          ...(docs.length > 1 ? { count: kept.length } : {}),
        },
        'notification outcome',
      );
    }
    if (final && deferred) deferred.push(...kept);
    else if (final && kept.length > 0) await this.recordHistory(kept);
    if (kept.length < docs.length) return 'lost_claim';
    return result.state === 'pending' ? 'retry' : result.state;
  }

  /** Writes the order-history entries of these final outcomes. */
  recordHistory(docs: readonly NotificationDoc[]): Promise<void> {
    return recordOutcomesOnOrders(this.o.notifications, this.o.orders, [...docs], this.o.now());
  }

  /** Writes missing order-history entries for final outcomes (after a crash in between). */
  async recordPendingHistory(limit: number): Promise<number> {
    const docs = await this.o.notifications.find({ historyRecorded: false }).limit(limit).toArray();
    await this.recordHistory(docs);
    return docs.length;
  }

  private outcomeSet(claimed: NotificationDoc, result: FinishResult, now: Date): Partial<NotificationDoc> {
    const set: Partial<NotificationDoc> = { state: result.state, updatedAt: now };
    if (result.outcome) set.outcome = result.outcome;
    if (result.state === 'sent')
      Object.assign(set, { sentAt: now, channel: result.channel, ...(result.reason ? { reason: result.reason } : {}) });
    if (result.state === 'failed') Object.assign(set, { failedAt: now, reason: result.reason });
    if (result.state === 'pending') {
      Object.assign(set, {
        reason: result.reason,
        dueAt: new Date(now.getTime() + backoffDelay(claimed.attempts, this.o.baseDelayMs, this.o.maxDelayMs)),
      });
    }
    if (result.state !== 'pending') set.historyRecorded = false;
    return set;
  }

  /** True when this instance still held the claim and the outcome was stored. */
  private async write(
    claimed: NotificationDoc,
    set: Partial<NotificationDoc>,
    line: NotificationAttempt,
  ): Promise<boolean> {
    const result = await this.o.notifications.updateOne(
      { _id: claimed._id, state: 'claimed', claimToken: claimed.claimToken },
      { $set: set, $unset: { leaseUntil: '', claimToken: '' }, $push: { log: line } },
    );
    return result.matchedCount === 1;
  }

  private attemptLine(at: Date, result: FinishResult): NotificationAttempt {
    const line: NotificationAttempt = {
      at,
      by: this.o.instanceId,
      outcome: result.state === 'sent' ? 'sent' : 'error',
    };
    if (result.channel) line.channel = result.channel;
    if (result.reason) line.detail = result.reason;
    return line;
  }
}
