import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Logger } from '../logger';
import type { ServiceOrder } from '../orders/types';
import { admitToQuietWindow, batchKey, DEFAULT_DIGEST_ALLOWANCE, QUIET_WINDOWS_COLLECTION, QuietWindowDoc } from './batching';
import { NotificationClaims } from './claims';
import { coalesce } from '../coalesce';
import { recordOutcomesOnOrders } from './history';
import { refusedWrites } from '../mongo-errors';
import { NOTIFICATIONS_COLLECTION, NotificationChannel, NotificationAttempt, NotificationDoc, NotificationOutcome, ORDERS_COLLECTION } from './types';

export interface DispatcherOptions {
  db: Db;
  logger: Logger;
  channels: readonly NotificationChannel[];
  /** Told each stored outcome (`retry` for a failed attempt that will be tried again), for metrics. */
  onOutcome?: (outcome: { channel?: string; outcome: string }, count: number) => void;
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

/** `held`: put back to wait for the recipient's digest window. */
export type DispatchOutcome = 'sent' | 'retry' | 'failed' | 'lost_claim' | 'held';

type FinishResult = { state: 'sent' | 'failed' | 'pending'; outcome?: NotificationOutcome; channel?: string; reason?: string };
type Item = { doc: NotificationDoc; order: ServiceOrder };
/** One outcome to store: the notice as claimed, what to set, and this attempt's log line. */
type OutcomeWrite = { claimed: NotificationDoc; set: Partial<NotificationDoc>; line: NotificationAttempt };
/** Final outcomes whose order-history entries are written together after a batch. */
type Deferred = NotificationDoc[];

/** Notices claimed in one round trip per concurrent sender; see `claimBatch`. */
const CLAIMS_PER_SENDER = 4;
const MAX_CLAIM_BATCH = 64;

/** True when a channel said the recipient cannot be reached there any more (Teams 403/404). */
function isGone(error: unknown): boolean {
  return Boolean((error as { details?: { gone?: unknown } } | undefined)?.details?.gone);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The channels that may carry a notice to this recipient, in order of preference. Provider
 * contacts sit outside the Teams tenant: always email. Everyone else: Teams first when a
 * live conversation reference exists (the channel's `canReach`), email otherwise.
 */
export function channelsFor(recipient: NotificationDoc['recipient'], channels: readonly NotificationChannel[]): readonly NotificationChannel[] {
  if (recipient.role === 'provider_contact' || recipient.role === 'provider') return channels.filter((c) => c.name !== 'teams');
  return channels;
}

/** Delay before attempt `attempts + 1`: base · 2^(attempts − 1), capped. */
export function backoffDelay(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`send timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Sends due notifications through the registered channels. Several instances may run
 * against one database: a claim is one atomic findOneAndUpdate on a due `pending` entry or
 * an expired lease, and an outcome is stored only by the holder of the current claim. A
 * `sent` notification is final and never claimed again. A crash after a claim leaves the
 * entry to be retried once its lease expires. Channels get the notification id as an
 * idempotency key for the one window no database can close (sent, then crashed before
 * the outcome was stored).
 */
export class OutboxDispatcher {
  readonly instanceId: string;
  private readonly notifications: Collection<NotificationDoc>;
  private readonly orders: Collection<ServiceOrder>;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly sendTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly fallbackAfterAttempts: number;
  private readonly digestWindowMs: number;
  private readonly digestAllowance: number;
  /** People whose quiet window this instance saw full, and until when (ms). */
  private readonly fullUntil = new Map<string, number>();
  private readonly windows: Collection<QuietWindowDoc>;
  private readonly claims: NotificationClaims;

  constructor(private readonly options: DispatcherOptions) {
    this.instanceId = options.instanceId ?? `dispatcher-${randomUUID()}`;
    this.notifications = options.db.collection<NotificationDoc>(NOTIFICATIONS_COLLECTION);
    this.orders = options.db.collection<ServiceOrder>(ORDERS_COLLECTION);
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 120_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? Math.floor(this.leaseMs / 2);
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 30_000;
    this.maxDelayMs = options.maxDelayMs ?? 30 * 60_000;
    this.fallbackAfterAttempts = options.fallbackAfterAttempts ?? 2;
    this.digestWindowMs = options.digestWindowMs ?? 0;
    this.digestAllowance = Math.max(1, options.digestAllowance ?? DEFAULT_DIGEST_ALLOWANCE);
    this.windows = options.db.collection<QuietWindowDoc>(QUIET_WINDOWS_COLLECTION);
    this.claims = new NotificationClaims(this.notifications, { instanceId: this.instanceId, leaseMs: this.leaseMs, now: this.now });
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
      const batch = await this.claimBatch(Math.min(limit - processed, concurrency * CLAIMS_PER_SENDER, MAX_CLAIM_BATCH));
      if (batch.length === 0) break;
      const done = await this.processBatch(batch, concurrency, keepGoing);
      if (done === 0) break;
      processed += done;
    }
    return processed;
  }

  /**
   * The units a claimed batch is sent in: without a digest window, each notice alone; with
   * one, all of a person's batchable notices together (each in the batch's order).
   */
  private unitsOf(batch: readonly NotificationDoc[]): NotificationDoc[][] {
    if (this.digestWindowMs <= 0) return batch.map((doc) => [doc]);
    const units: NotificationDoc[][] = [];
    const byKey = new Map<string, NotificationDoc[]>();
    for (const doc of batch) {
      const key = batchKey(doc);
      const unit = key ? byKey.get(key) : undefined;
      if (unit) unit.push(doc);
      else {
        const fresh = [doc];
        units.push(fresh);
        if (key) byKey.set(key, fresh);
      }
    }
    return units;
  }

  /**
   * Sends a claimed batch with `concurrency` workers. A unit whose lease would run out
   * before its send could time out, or that is still waiting when `keepGoing` says stop, is
   * put back (unclaimed, its attempt not counted) rather than risking a second sender.
   */
  private async processBatch(batch: NotificationDoc[], concurrency: number, keepGoing: () => boolean): Promise<number> {
    const orders = await this.ordersOf(batch);
    const units = this.unitsOf(batch);
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
      await recordOutcomesOnOrders(this.notifications, this.orders, deferred, this.now());
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
  private async processUnit(unit: NotificationDoc[], orders: Map<string, ServiceOrder>, deferred?: Deferred): Promise<DispatchOutcome> {
    const first = unit[0]!;
    const log = this.options.logger.child({ notificationId: first._id, orderId: String(first.orderId), ...(unit.length > 1 ? { batched: unit.length } : {}) });
    const key = this.digestWindowMs > 0 ? batchKey(first) : undefined;
    let docs = unit;
    if (key) {
      const now = this.now();
      // A window seen full stays full until it ends (its count only grows): no need to ask again.
      const knownFull = this.fullUntil.get(key);
      const openUntil = knownFull !== undefined && knownFull > now.getTime()
        ? new Date(knownFull)
        : await admitToQuietWindow(this.windows, key, now, this.digestWindowMs, this.digestAllowance);
      if (openUntil) {
        if (this.fullUntil.size >= 10_000) this.fullUntil.clear();
        this.fullUntil.set(key, openUntil.getTime());
        await this.claims.hold(unit, openUntil, now);
        log.debug({ until: openUntil, held: unit.length }, 'notices held for the recipient digest');
        return 'held';
      }
      const waiting = await this.claims.waitingFor(key, unit, now);
      if (waiting.length > 0) {
        docs = [...unit, ...waiting];
        for (const [id, order] of await this.ordersOf(waiting)) orders.set(id, order);
      }
    }
    const items: Item[] = [];
    for (const doc of docs) {
      const order = orders.get(doc.orderId.toHexString());
      if (order) items.push({ doc, order });
      else await this.finish(doc, { state: 'failed', outcome: 'failed', reason: 'order not found' }, log, deferred);
    }
    if (items.length === 0) return 'failed';
    const outcome = await this.deliver(items, log, deferred);
    return docs.length > 1 ? 'sent' : outcome;
  }

  /** Tries the recipient's channels in order; see `fallbackAfterAttempts`. */
  private async deliver(items: Item[], log: Logger, deferred?: Deferred): Promise<DispatchOutcome> {
    const first = items[0]!.doc;
    const reachable: NotificationChannel[] = [];
    for (const channel of channelsFor(first.recipient, this.options.channels)) if (await channel.canReach(first.recipient)) reachable.push(channel);
    if (reachable.length === 0) return this.finishAll(items, { state: 'failed', outcome: 'failed', reason: 'no channel can reach the recipient' }, log, deferred);
    const errors: string[] = [];
    let remaining = items;
    for (const [index, channel] of reachable.entries()) {
      const sent: NotificationOutcome = index === 0 ? `sent_${channel.name}` : 'fell_back';
      const result = { state: 'sent' as const, outcome: sent, channel: channel.name, ...(index > 0 ? { reason: errors.join('; ') } : {}) };
      try {
        if (channel.sendDigest && remaining.length > 1) {
          await withTimeout(channel.sendDigest(remaining), this.sendTimeoutMs);
          return this.finishAll(remaining, result, log, deferred);
        }
        let outcome: DispatchOutcome = 'sent';
        while (remaining.length > 0) {
          const { doc, order } = remaining[0]!;
          await withTimeout(channel.send(doc, order), this.sendTimeoutMs);
          outcome = await this.finish(doc, result, log, deferred);
          remaining = remaining.slice(1);
        }
        return outcome;
      } catch (error) {
        errors.push(`${channel.name}: ${errorText(error)}`);
        const last = index === reachable.length - 1;
        if (!last && !isGone(error) && first.attempts < this.fallbackAfterAttempts) break;
      }
    }
    const reason = errors.join('; ');
    let outcome: DispatchOutcome = 'retry';
    for (const { doc } of remaining) {
      outcome = await this.finish(doc, doc.attempts >= this.maxAttempts ? { state: 'failed', outcome: 'failed', reason } : { state: 'pending', reason }, log, deferred);
    }
    return outcome;
  }

  private finishAll(items: Item[], result: FinishResult, log: Logger, deferred?: Deferred): Promise<DispatchOutcome> {
    return this.finishMany(items.map((i) => i.doc), result, log, deferred);
  }

  private finish(claimed: NotificationDoc, result: FinishResult, log: Logger, deferred?: Deferred): Promise<DispatchOutcome> {
    return this.finishMany([claimed], result, log, deferred);
  }

  /**
   * Stores one outcome for notices this instance holds, in one round trip however many (a
   * digest at the end of a busy window carries hundreds). Each write names the notice's
   * claim token, so a notice whose lease ran out and was claimed elsewhere is left alone;
   * those are told apart afterwards by this attempt's log line.
   */
  private async finishMany(docs: readonly NotificationDoc[], result: FinishResult, log: Logger, deferred?: Deferred): Promise<DispatchOutcome> {
    const now = this.now();
    const final = result.state !== 'pending';
    const line = this.attemptLine(now, result);
    const sets = docs.map((claimed) => {
      const set: Partial<NotificationDoc> = { state: result.state, updatedAt: now };
      if (result.outcome) set.outcome = result.outcome;
      if (result.state === 'sent') Object.assign(set, { sentAt: now, channel: result.channel, ...(result.reason ? { reason: result.reason } : {}) });
      if (result.state === 'failed') Object.assign(set, { failedAt: now, reason: result.reason });
      if (result.state === 'pending') {
        Object.assign(set, { reason: result.reason, dueAt: new Date(now.getTime() + backoffDelay(claimed.attempts, this.baseDelayMs, this.maxDelayMs)) });
      }
      if (final) set.historyRecorded = false;
      return set;
    });
    const stored = await this.storeTogether(docs.map((claimed, i) => ({ claimed, set: sets[i]!, line })));
    let kept = docs.map((doc, i) => ({ ...doc, ...sets[i] }) as NotificationDoc);
    if (stored.some((ok) => !ok)) {
      log.warn({ state: result.state, lost: docs.filter((_, i) => !stored[i]).map((d) => d._id) }, 'claim lost before the outcome was stored (lease expired)');
      kept = kept.filter((_, i) => stored[i]);
    }
    if (kept.length > 0) {
      this.options.onOutcome?.({ channel: result.channel, outcome: result.outcome ?? (result.state === 'pending' ? 'retry' : result.state) }, kept.length);
      log.info({ state: result.state, channel: result.channel, attempts: docs[0]!.attempts, reason: result.reason, ...(docs.length > 1 ? { count: kept.length } : {}) }, 'notification outcome');
    }
    // The history entries follow the stored outcomes: at once, or with the rest of the batch.
    if (final && deferred) deferred.push(...kept);
    else if (final && kept.length > 0) await recordOutcomesOnOrders(this.notifications, this.orders, kept, now);
    if (kept.length < docs.length) return 'lost_claim';
    return result.state === 'pending' ? 'retry' : result.state;
  }

  /**
   * Outcome writes of the units finishing together (several sends in flight), as one bulk
   * write; answers, per write, whether it was stored. Each write names its claim token, so a
   * notice another instance took over is left alone; when not every write applied, this
   * instance's attempt line on each notice tells which did.
   */
  private readonly storeTogether = coalesce(async (calls: readonly OutcomeWrite[][]) => {
    const all = calls.flat();
    let applied = 0;
    try {
      const result = await this.notifications.bulkWrite(all.map(({ claimed, set, line }) => ({
        updateOne: {
          filter: { _id: claimed._id, state: 'claimed', claimToken: claimed.claimToken },
          update: { $set: set, $unset: { leaseUntil: '', claimToken: '' }, $push: { log: line } },
        },
      })), { ordered: false });
      applied = result.matchedCount;
    } catch (error) {
      if (!refusedWrites(error)) throw error;
    }
    if (applied === all.length) return calls.map((writes) => ({ ok: true as const, value: writes.map(() => true) }));
    const logs = new Map((await this.notifications
      .find({ _id: { $in: all.map((w) => w.claimed._id) } }, { projection: { log: 1 } })
      .toArray()).map((d) => [d._id, d.log ?? []]));
    const ours = (w: OutcomeWrite) => (logs.get(w.claimed._id) ?? []).some((l) => l.by === this.instanceId && l.at.getTime() === w.line.at.getTime());
    return calls.map((writes) => ({ ok: true as const, value: writes.map(ours) }));
  });

  private attemptLine(at: Date, result: { state: string; channel?: string; reason?: string }): NotificationAttempt {
    const line: NotificationAttempt = { at, by: this.instanceId, outcome: result.state === 'sent' ? 'sent' : 'error' };
    if (result.channel) line.channel = result.channel;
    if (result.reason) line.detail = result.reason;
    return line;
  }

  /** Writes missing order-history entries for final outcomes (after a crash in between). */
  async recordPendingHistory(limit = 100): Promise<number> {
    const docs = await this.notifications.find({ historyRecorded: false }).limit(limit).toArray();
    await recordOutcomesOnOrders(this.notifications, this.orders, docs, this.now());
    return docs.length;
  }
}
