import type { Logger } from '../logger';
import type { ServiceOrder } from '../orders/types';
import { channelsFor } from '../notifications/delivery-rules';
import type { Deferred, DispatchOutcome, Outcomes } from './outcomes';
import type { NotificationChannel, NotificationDoc, NotificationOutcome } from './types';

/** A claimed notice with the order it is about (re-read at send time). */
export type Item = { doc: NotificationDoc; order: ServiceOrder };

export interface DeliveryOptions {
  channels: readonly NotificationChannel[];
  sendTimeoutMs: number;
  /** Claims a notice keeps trying its preferred channel after ordinary failures before falling back. */
  fallbackAfterAttempts: number;
  outcomes: Outcomes;
}

/** True when a channel said the recipient cannot be reached there any more (Teams 403/404). */
function isGone(error: unknown): boolean {
  return Boolean((error as { details?: { gone?: unknown } } | undefined)?.details?.gone);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`send timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Sends one unit (a notice, or one person's notices as a digest) through the recipient's
 * channels in order and stores each outcome. An ordinary failure of the preferred channel
 * is retried on it for `fallbackAfterAttempts` claims before the next channel is tried; a
 * "gone" answer (the channel throws with `details.gone`) falls back at once.
 */
export async function deliver(
  items: readonly Item[],
  o: DeliveryOptions,
  log: Logger,
  deferred?: Deferred,
): Promise<DispatchOutcome> {
  const first = items[0]!.doc;
  const docsOf = (list: readonly Item[]) => list.map((i) => i.doc);
  const reachable: NotificationChannel[] = [];
  for (const channel of channelsFor(first.recipient, o.channels))
    if (await channel.canReach(first.recipient)) reachable.push(channel);
  if (reachable.length === 0)
    return o.outcomes.store(
      docsOf(items),
      { state: 'failed', outcome: 'failed', reason: 'no channel can reach the recipient' },
      log,
      deferred,
    );
  const errors: string[] = [];
  let remaining = items;
  for (const [index, channel] of reachable.entries()) {
    const sent: NotificationOutcome = index === 0 ? `sent_${channel.name}` : 'fell_back';
    const result = {
      state: 'sent' as const,
      outcome: sent,
      channel: channel.name,
      ...(index > 0 ? { reason: errors.join('; ') } : {}),
    };
    try {
      if (channel.sendDigest && remaining.length > 1) {
        await withTimeout(channel.sendDigest(remaining), o.sendTimeoutMs);
        return await o.outcomes.store(docsOf(remaining), result, log, deferred);
      }
      let outcome: DispatchOutcome = 'sent';
      while (remaining.length > 0) {
        const { doc, order } = remaining[0]!;
        await withTimeout(channel.send(doc, order), o.sendTimeoutMs);
        outcome = await o.outcomes.store([doc], result, log, deferred);
        remaining = remaining.slice(1);
      }
      return outcome;
    } catch (error) {
      errors.push(`${channel.name}: ${errorText(error)}`);
      const last = index === reachable.length - 1;
      if (!last && !isGone(error) && first.attempts < o.fallbackAfterAttempts) break;
    }
  }
  const reason = errors.join('; ');
  let outcome: DispatchOutcome = 'retry';
  for (const { doc } of remaining)
    outcome = await o.outcomes.store([doc], o.outcomes.afterError(doc, reason), log, deferred);
  return outcome;
}
