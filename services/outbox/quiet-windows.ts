import type { Collection } from 'mongodb';
import { isDuplicateKey } from '../mongo-errors';

/**
 * One quiet window per person: until `until`, the person may get `sent` messages (at most the
 * dispatcher's allowance); further notices wait for the window's end.
 */
export interface QuietWindowDoc {
  _id: string;
  until: Date;
  /** Messages asked for in this window (beyond the allowance: refused); absent on windows from older versions (full). */
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
 * Admits one message to the person's quiet window, atomically across instances and in one
 * round trip: a new window (none open, or the last one over) or one with room left (fewer
 * than `allowance` messages in it) takes the message and the caller sends now (null). A full
 * window answers its end, when the held notices leave together as one digest. So a
 * requester's few quick status changes arrive at once, and only a real burst (an analyst and
 * 30 new orders) is grouped.
 */
export async function admitToQuietWindow(
  windows: Collection<QuietWindowDoc>,
  key: string,
  now: Date,
  ms: number,
  allowance: number,
): Promise<Date | null> {
  const until = new Date(now.getTime() + ms);
  // No window yet (until missing) or the last one over: a new window counting this message.
  const over = { $lte: [{ $ifNull: ['$until', new Date(0)] }, now] };
  for (let tries = 0; ; tries += 1) {
    try {
      const window = await windows.findOneAndUpdate(
        { _id: key },
        [
          {
            $set: {
              until: { $cond: [over, until, '$until'] },
              sent: { $cond: [over, 1, { $add: [{ $ifNull: ['$sent', allowance] }, 1] }] },
            },
          },
        ],
        { upsert: true, returnDocument: 'after' },
      );
      if (!window) return until;
      return (window.sent ?? allowance + 1) <= allowance ? null : window.until;
    } catch (error) {
      // Two first messages to one person can race on the upsert; the loser counts in the winner's window.
      if (!isDuplicateKey(error) || tries >= 2) throw error;
    }
  }
}

/**
 * The quiet windows as one dispatcher instance sees them: a window seen full stays full until
 * it ends (its count only grows), so that answer is kept instead of asked again.
 */
export class QuietWindows {
  private readonly fullUntil = new Map<string, number>();

  constructor(
    private readonly windows: Collection<QuietWindowDoc>,
    private readonly ms: number,
    private readonly allowance: number,
  ) {}

  /** Null when a message to `key` may leave now; otherwise when the person's window ends. */
  async admit(key: string, now: Date): Promise<Date | null> {
    const knownFull = this.fullUntil.get(key);
    if (knownFull !== undefined && knownFull > now.getTime()) return new Date(knownFull);
    const openUntil = await admitToQuietWindow(this.windows, key, now, this.ms, this.allowance);
    if (openUntil) {
      if (this.fullUntil.size >= 10_000) this.fullUntil.clear();
      this.fullUntil.set(key, openUntil.getTime());
    }
    return openUntil;
  }
}
