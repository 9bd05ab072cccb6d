import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Logger } from '../logger';
import type { ServiceOrder } from '../orders/types';
import { batchKey, ONE_BY_ONE_EVENTS } from '../notifications/delivery-rules';
import { NotificationClaims } from './claims';
import { deliver, DeliveryOptions, Item } from './delivery';
import { Deferred, DispatchOutcome, OutcomeOptions, Outcomes } from './outcomes';
import { DEFAULT_DIGEST_ALLOWANCE, QUIET_WINDOWS_COLLECTION, QuietWindowDoc, QuietWindows } from './quiet-windows';
import { NOTIFICATIONS_COLLECTION, NotificationChannel, NotificationDoc, ORDERS_COLLECTION } from './types';
import { unitsOf } from './units';

export { backoffDelay } from './outcomes';
export type { DispatchOutcome } from './outcomes';

export interface DispatcherOptions {
  db: Db;
  logger: Logger;
  channels: readonly NotificationChannel[];
  /** Told each stored outcome, for metrics (see `OutcomeOptions.onOutcome`). */
  onOutcome?: OutcomeOptions['onOutcome'];
  /** Recorded as `claimedBy`; unique per process. */
  instanceId?: string;
  now?: () => Date;
  /** How long a claim holds; after it, another instance may retry. Must exceed sendTimeoutMs. */
  leaseMs?: number;
  sendTimeoutMs?: number;
  /** Claims allowed before a notification is failed for good. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Claims a notice keeps trying its preferred channel (Teams) after ordinary failures
   * before it falls back to the next one (email). A "gone" answer (403/404: the channel
   * throws with `details.gone`) falls back at once. Default 2.
   */
  fallbackAfterAttempts?: number;
  /**
   * Digest window per person (ms); 0 (default) sends every notice on its own. With a window,
   * a burst for one person (an analyst and 30 new orders) becomes one message per window.
   */
  digestWindowMs?: number;
  /**
   * Messages a person may get within one digest window before further notices wait for its
   * end (a digest counts as one). Default 5: a few quick status changes are not delayed.
   */
  digestAllowance?: number;
  /**
   * Sends in flight at once in this instance. Default 1. With a digest window, a person's
   * notices of one claimed batch are one send; two instances claiming parts of one burst
   * still send each notice once, at worst in one more message.
   */
  concurrency?: number;
}

/** Notices claimed in one round trip per concurrent sender; see `claimBatch`. */
const CLAIMS_PER_SENDER = 4;
const MAX_CLAIM_BATCH = 64;

/**
 * Sends due notifications through the registered channels. Several instances may run
 * against one database: a claim is one atomic write on a due `pending` entry or an expired
 * lease (claims.ts), and an outcome is stored only by the holder of the current claim
 * (outcomes.ts). A `sent` notification is final and never claimed again. A crash after a
 * claim leaves the entry to be retried once its lease expires. Channels get the
 * notification id as an idempotency key for the one window no database can close (sent,
 * then crashed before the outcome was stored).
 */
export class OutboxDispatcher {
  readonly instanceId: string;
  private readonly orders: Collection<ServiceOrder>;
  private readonly now: () => Date;
  private readonly sendTimeoutMs: number;
  private readonly claims: NotificationClaims;
  private readonly outcomes: Outcomes;
  private readonly delivery: DeliveryOptions;
  /** Present when notices to one person are gathered into digests. */
  private readonly windows?: QuietWindows;

  constructor(private readonly options: DispatcherOptions) {
    this.instanceId = options.instanceId ?? `dispatcher-${randomUUID()}`;
    const notifications = options.db.collection<NotificationDoc>(NOTIFICATIONS_COLLECTION);
    this.orders = options.db.collection<ServiceOrder>(ORDERS_COLLECTION);
    this.now = options.now ?? (() => new Date());
    const leaseMs = options.leaseMs ?? 120_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? Math.floor(leaseMs / 2);
    this.claims = new NotificationClaims(notifications, { instanceId: this.instanceId, leaseMs, now: this.now });
    this.outcomes = new Outcomes({
      notifications,
      orders: this.orders,
      instanceId: this.instanceId,
      now: this.now,
      baseDelayMs: options.baseDelayMs ?? 30_000,
      maxDelayMs: options.maxDelayMs ?? 30 * 60_000,
      maxAttempts: options.maxAttempts ?? 6,
      onOutcome: options.onOutcome,
    });
    this.delivery = {
      channels: options.channels,
      sendTimeoutMs: this.sendTimeoutMs,
      fallbackAfterAttempts: options.fallbackAfterAttempts ?? 2,
      outcomes: this.outcomes,
    };
    const digestWindowMs = options.digestWindowMs ?? 0;
    if (digestWindowMs > 0) {
      const allowance = Math.max(1, options.digestAllowance ?? DEFAULT_DIGEST_ALLOWANCE);
      this.windows = new QuietWindows(
        options.db.collection<QuietWindowDoc>(QUIET_WINDOWS_COLLECTION),
        digestWindowMs,
        allowance,
      );
    }
  }

  /** Indexes the claim, history catch-up and per-order queries need; idempotent. */
  ensureIndexes(): Promise<void> {
    return this.claims.ensureIndexes();
  }

  /** Atomically takes one due notification for this instance, or null when none is due. */
  claimNext(): Promise<NotificationDoc | null> {
    return this.claims.next();
  }

  /** Atomically takes up to `max` due notifications for this instance; see NotificationClaims.batch. */
  claimBatch(max: number): Promise<NotificationDoc[]> {
    return this.claims.batch(max);
  }

  /**
   * Claims and processes due notifications until none is due, `limit` is hit or `keepGoing`
   * says stop, with up to `concurrency` in flight (a slow SMTP or Teams answer does not
   * hold up the queue behind it). Notices are claimed in batches and their orders read
   * together; the order-history entries of a batch's outcomes are written together once
   * it is done. With a digest window, a batch's notices for one person travel together
   * (see `processUnit`).
   */
  async dispatchOnce(limit = 100, keepGoing: () => boolean = () => true): Promise<number> {
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    let processed = 0;
    while (processed < limit && keepGoing()) {
      const batch = await this.claimBatch(
        Math.min(limit - processed, concurrency * CLAIMS_PER_SENDER, MAX_CLAIM_BATCH),
      );
      if (batch.length === 0) break;
      const done = await this.processBatch(batch, concurrency, keepGoing);
      if (done === 0) break;
      processed += done;
    }
    return processed;
  }

  /**
   * Sends a claimed batch with `concurrency` workers. A unit whose lease would run out
   * before its send could time out, or that is still waiting when `keepGoing` says stop, is
   * put back (unclaimed, its attempt not counted) rather than risking a second sender.
   */
  private async processBatch(batch: NotificationDoc[], concurrency: number, keepGoing: () => boolean): Promise<number> {
    const orders = await this.ordersOf(batch);
    const units = unitsOf(batch, this.windows !== undefined);
    const deferred: Deferred = [];
    const putBack: NotificationDoc[] = [];
    let next = 0;
    let processed = 0;
    const worker = async () => {
      while (next < units.length) {
        const unit = units[next++]!;
        if (!keepGoing() || (unit[0]!.leaseUntil?.getTime() ?? 0) - this.now().getTime() <= this.sendTimeoutMs) {
          putBack.push(...unit);
          continue;
        }
        await this.processUnit(unit, orders, deferred);
        processed += unit.length;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, units.length) }, worker));
    } finally {
      await this.claims.release(putBack);
      await this.outcomes.recordHistory(deferred);
    }
    return processed;
  }

  private async ordersOf(docs: readonly NotificationDoc[]): Promise<Map<string, ServiceOrder>> {
    const ids = [...new Map(docs.map((d) => [d.orderId.toHexString(), d.orderId])).values()];
    return new Map((await this.orders.find({ _id: { $in: ids } }).toArray()).map((o) => [o._id.toHexString(), o]));
  }

  /** Sends one claimed notification (with whatever a digest window adds to it) and stores the outcome. */
  async process(claimed: NotificationDoc): Promise<DispatchOutcome> {
    return this.processUnit([claimed], await this.ordersOf([claimed]));
  }

  /**
   * Sends one unit: a notice, or a person's notices of one batch. With a digest window, the
   * first few messages to a person in a window go at once (see `digestAllowance`); later
   * notices wait for the window's end, when whichever instance claims one first opens the
   * next window and takes every notice waiting for that person into one digest.
   */
  private async processUnit(
    unit: NotificationDoc[],
    orders: Map<string, ServiceOrder>,
    deferred?: Deferred,
  ): Promise<DispatchOutcome> {
    const first = unit[0]!;
    const log = this.options.logger.child({
      notificationId: first._id,
      orderId: String(first.orderId),
      ...(unit.length > 1 ? { batched: unit.length } : {}),
    });
    const key = this.windows ? batchKey(first) : undefined;
    let docs = unit;
    if (this.windows && key) {
      const now = this.now();
      const openUntil = await this.windows.admit(key, now);
      if (openUntil) {
        await this.claims.hold(unit, openUntil, now);
        log.debug({ until: openUntil, held: unit.length }, 'notices held for the recipient digest');
        return 'held';
      }
      // A receipt within the allowance leaves alone; the others due for the person go their own way.
      const alone = unit.length === 1 && ONE_BY_ONE_EVENTS.includes(first.event) && !first.held;
      const waiting = alone ? [] : await this.claims.waitingFor(key, unit, now);
      if (waiting.length > 0) {
        docs = [...unit, ...waiting];
        for (const [id, order] of await this.ordersOf(waiting)) orders.set(id, order);
      }
    }
    const items: Item[] = [];
    for (const doc of docs) {
      const order = orders.get(doc.orderId.toHexString());
      if (order) items.push({ doc, order });
      else
        await this.outcomes.store(
          [doc],
          { state: 'failed', outcome: 'failed', reason: 'order not found' },
          log,
          deferred,
        );
    }
    if (items.length === 0) return 'failed';
    const outcome = await deliver(items, this.delivery, log, deferred);
    return docs.length > 1 ? 'sent' : outcome;
  }

  /** Writes missing order-history entries for final outcomes (after a crash in between). */
  recordPendingHistory(limit = 100): Promise<number> {
    return this.outcomes.recordPendingHistory(limit);
  }
}
