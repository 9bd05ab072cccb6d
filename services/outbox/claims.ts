import { randomUUID } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import { NEVER_HELD_EVENTS } from '../notifications/delivery-rules';
import type { NotificationDoc } from './types';

export interface ClaimOptions {
  /** Recorded as `claimedBy`. */
  instanceId: string;
  /** How long a claim holds; after it, another instance may take the notice again. */
  leaseMs: number;
  now: () => Date;
}

/** The claim tokens notices were taken under: a write back is ours only under one of them. */
const tokensOf = (docs: readonly NotificationDoc[]) => [
  ...new Set(docs.map((d) => d.claimToken).filter((t): t is string => Boolean(t))),
];

/**
 * Who holds which notification. A claim is a conditional write on a due `pending` entry or
 * an expired lease, under a random token; every write back (release, hold) names the token,
 * so an instance whose lease ran out can never undo another's claim. Several instances may
 * claim from one collection at once.
 */
export class NotificationClaims {
  constructor(
    private readonly notifications: Collection<NotificationDoc>,
    private readonly options: ClaimOptions,
  ) {}

  /** Indexes the claim, history catch-up and per-order queries need; idempotent. */
  async ensureIndexes(): Promise<void> {
    await this.notifications.createIndex({ state: 1, dueAt: 1 });
    await this.notifications.createIndex({ state: 1, leaseUntil: 1 });
    await this.notifications.createIndex({ historyRecorded: 1 });
    await this.notifications.createIndex({ orderId: 1 });
    await this.notifications.createIndex({ claimToken: 1 }, { sparse: true });
  }

  private claimSet(now: Date, claimToken: string, leaseUntil = new Date(now.getTime() + this.options.leaseMs)) {
    return { state: 'claimed' as const, claimedBy: this.options.instanceId, claimToken, leaseUntil, updatedAt: now };
  }

  /** Atomically takes one due notification, or null when none is due. */
  async next(): Promise<NotificationDoc | null> {
    const now = this.options.now();
    const claim = (filter: Filter<NotificationDoc>, sort: Record<string, 1>) =>
      this.notifications.findOneAndUpdate(
        filter,
        { $set: this.claimSet(now, randomUUID()), $inc: { attempts: 1 } },
        { sort, returnDocument: 'after' },
      );
    // Two single-state queries rather than one $or, so each is answered from its index.
    return (
      (await claim({ state: 'pending', dueAt: { $lte: now } }, { dueAt: 1 })) ??
      claim({ state: 'claimed', leaseUntil: { $lte: now } }, { leaseUntil: 1 })
    );
  }

  /**
   * Atomically takes up to `max` due notifications (pending and due, or claimed under an
   * expired lease) in three round trips, whatever `max` is: pick candidates, claim them with
   * one conditional update under a fresh token, read back what this token won. A candidate
   * another instance claimed in between fails the condition and stays theirs, so a notice
   * is never held by two claims.
   */
  async batch(max: number): Promise<NotificationDoc[]> {
    // Instances polling together pick the same oldest candidates and only one wins each; the
    // others pick again rather than end their pass with due notices left.
    for (let tries = 0; tries < 3; tries += 1) {
      const claimed = await this.candidates(max);
      if (claimed !== 'lost') return claimed;
    }
    return [];
  }

  /** One pick-and-claim round; 'lost' when there were candidates but others claimed them all. */
  private async candidates(max: number): Promise<NotificationDoc[] | 'lost'> {
    const now = this.options.now();
    const due: Filter<NotificationDoc> = { state: 'pending', dueAt: { $lte: now } };
    const expired: Filter<NotificationDoc> = { state: 'claimed', leaseUntil: { $lte: now } };
    const ids = (
      await this.notifications
        .find(due, { projection: { _id: 1 } })
        .sort({ dueAt: 1 })
        .limit(max)
        .toArray()
    ).map((d) => d._id);
    if (ids.length < max) {
      const stale = await this.notifications
        .find(expired, { projection: { _id: 1 } })
        .sort({ leaseUntil: 1 })
        .limit(max - ids.length)
        .toArray();
      ids.push(...stale.map((d) => d._id));
    }
    if (ids.length === 0) return [];
    const claimToken = randomUUID();
    const won = await this.notifications.updateMany(
      { _id: { $in: ids }, $or: [due, expired] },
      { $set: this.claimSet(now, claimToken), $inc: { attempts: 1 } },
    );
    if (won.modifiedCount === 0) return 'lost';
    return this.notifications.find({ claimToken }).sort({ dueAt: 1 }).toArray();
  }

  /** Gives claimed notices back unsent, as if never claimed (due at once, attempt not counted). */
  async release(docs: readonly NotificationDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await this.notifications.updateMany(
      { _id: { $in: docs.map((d) => d._id) }, state: 'claimed', claimToken: { $in: tokensOf(docs) } },
      {
        $set: { state: 'pending', updatedAt: this.options.now() },
        $unset: { leaseUntil: '', claimToken: '' },
        $inc: { attempts: -1 },
      },
    );
  }

  /** Puts claimed notices back to wait until `until` (their recipient's quiet window ends). */
  async hold(docs: readonly NotificationDoc[], until: Date, now: Date): Promise<void> {
    await this.notifications.updateMany(
      { _id: { $in: docs.map((d) => d._id) }, state: 'claimed', claimToken: { $in: tokensOf(docs) } },
      {
        $set: { state: 'pending', dueAt: until, updatedAt: now, held: true },
        $unset: { leaseUntil: '', claimToken: '' },
        $inc: { attempts: -1 },
      },
    );
  }

  /**
   * Claims the other notices already due for person `key` (outside `unit`) under a token of
   * their own and the unit's lease, so one digest carries everything waiting for the person.
   */
  async waitingFor(key: string, unit: readonly NotificationDoc[], now: Date): Promise<NotificationDoc[]> {
    const claimToken = randomUUID();
    const taken = await this.notifications.updateMany(
      {
        _id: { $nin: unit.map((d) => d._id) },
        state: 'pending',
        dueAt: { $lte: now },
        'recipient.personId': key,
        event: { $nin: [...NEVER_HELD_EVENTS] },
      },
      { $set: this.claimSet(now, claimToken, unit[0]!.leaseUntil), $inc: { attempts: 1 } },
    );
    if (taken.modifiedCount === 0) return [];
    return this.notifications.find({ claimToken }).sort({ createdAt: 1 }).toArray();
  }
}
