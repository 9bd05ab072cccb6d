import type { Logger } from '../logger';
import { PeriodicTask } from '../scheduling/periodic-task';
import type { ServiceOrder } from '../orders/types';
import { noticeTo } from './notices';
import type { ReminderStore } from './reminder-store';

export interface ValidationReminderOptions {
  store: ReminderStore;
  logger: Logger;
  /** Time from the validation request (and between reminders) before the requester is reminded. */
  intervalMs: number;
  /** Reminders per validation round; after them the SLA warnings take over. Default 3. */
  maxReminders?: number;
  /** How often to look; default a tenth of the interval, at least 10 s. */
  pollMs?: number;
  now?: () => Date;
}

/** When the order last entered `validation` (a round starts again after a refused signature). */
function enteredValidationAt(order: Pick<ServiceOrder, 'history'>): Date | undefined {
  for (let i = order.history.length - 1; i >= 0; i -= 1)
    if (order.history[i]!.to === 'validation') return order.history[i]!.at;
  return undefined;
}

/** The reminder of this round due at `now` (1, 2, …), or 0 when none is due. */
export function dueReminder(enteredAt: Date, now: Date, intervalMs: number, maxReminders: number): number {
  const n = Math.floor((now.getTime() - enteredAt.getTime()) / intervalMs);
  return Math.min(n, maxReminders);
}

/**
 * Reminds requesters who have not answered "¿Quedó resuelta la falla?". Safe with any number
 * of instances, like the SLA monitor: each pass recomputes from stored facts, and a reminder
 * is queued by one conditional write that adds its mark (`<version>:<n>`) and pushes the
 * notice into the order's outbox only if the mark is absent and the order is still in
 * `validation` at that version. It never touches `status` or `version`, so it cannot make a
 * requester's answer fail. After downtime only the latest due reminder is sent, not a backlog.
 */
export class ValidationReminder {
  private readonly task: PeriodicTask;

  constructor(private readonly options: ValidationReminderOptions) {
    const intervalMs = options.pollMs ?? Math.max(10_000, Math.floor(options.intervalMs / 10));
    this.task = new PeriodicTask({
      name: 'validation reminder',
      logger: options.logger,
      intervalMs,
      run: () => this.checkOnce(),
    });
  }

  /** One pass; returns how many reminders this instance queued. */
  async checkOnce(): Promise<number> {
    const now = (this.options.now ?? (() => new Date()))();
    const max = this.options.maxReminders ?? 3;
    let queued = 0;
    for await (const order of this.options.store.awaitingValidation()) {
      if (this.task.stopping) break;
      const enteredAt = enteredValidationAt(order);
      if (!enteredAt) continue;
      const n = dueReminder(enteredAt, now, this.options.intervalMs, max);
      if (n === 0) continue;
      const mark = `${order.version}:${n}`;
      if (order.reminderMarks?.includes(mark)) continue;
      const notice = noticeTo(
        order._id,
        `${order.version}:validation_reminder:${n}`,
        'validation_reminder',
        order.requester,
        'requester',
        now,
      );
      if (!notice) continue;
      if (await this.options.store.recordReminder(order, mark, notice)) {
        queued += 1;
        this.options.logger.info({ orderId: order._id.toHexString(), reminder: n }, 'validation reminder queued');
      }
    }
    return queued;
  }

  start(): void {
    this.task.start();
  }

  /** Lets the current pass end (it stops between orders), then resolves. */
  stop(): Promise<void> {
    return this.task.stop();
  }
}
