import type { Logger } from '../logger';
import { PeriodicTask } from '../scheduling/periodic-task';
import type { OutboxDispatcher } from './dispatcher';
import type { OutboxRelay } from './relay';

export interface OutboxLoopOptions {
  relay: OutboxRelay;
  /** Absent while no channel is registered: notices then wait in the queue, unfailed. */
  dispatcher?: OutboxDispatcher;
  logger: Logger;
  /** Pause between passes when the last one found nothing to do; after a busy pass the next starts at once. Default 250 ms. */
  intervalMs?: number;
}

/**
 * Runs relay → history catch-up → dispatch on a timer, one pass at a time. `stop()` lets the
 * current notification finish and its outcome be stored, then resolves: work is never cut
 * in half on shutdown; unclaimed entries simply wait for the next start.
 */
export class OutboxLoop {
  private readonly task: PeriodicTask;
  private lastRelayAt = 0;
  private lastRelayed = 0;

  constructor(private readonly options: OutboxLoopOptions) {
    // A busy pass (anything relayed or dispatched) asks for the next one at once.
    const run = async () => (await this.runPass()) > 0;
    this.task = new PeriodicTask({ name: 'outbox', logger: options.logger, intervalMs: options.intervalMs ?? 250, run });
  }

  start(): void {
    this.task.start();
  }

  /**
   * One full pass; errors are logged, never thrown, so a DB hiccup does not end the loop.
   * Returns how much it did (notices relayed and dispatched), 0 after an error.
   */
  async runPass(): Promise<number> {
    const { relay, dispatcher, logger } = this.options;
    try {
      // The relay scans orders for outboxes; while only dispatching is busy, scan once per interval.
      const relayDue = this.lastRelayed > 0 || Date.now() - this.lastRelayAt >= (this.options.intervalMs ?? 250);
      const relayed = relayDue ? await relay.relayOnce() : 0;
      if (relayDue) [this.lastRelayAt, this.lastRelayed] = [Date.now(), relayed];
      if (!dispatcher) return 0;
      await dispatcher.recordPendingHistory();
      return relayed + (await dispatcher.dispatchOnce(100, () => !this.task.stopping));
    } catch (error) {
      logger.error({ err: error }, 'outbox pass failed');
      return 0;
    }
  }

  /** Lets the notification being sent finish and its outcome be stored, then resolves. */
  stop(): Promise<void> {
    return this.task.stop();
  }
}
