import type { Logger } from '../logger';
import { PeriodicTask } from '../scheduling/periodic-task';
import type { OutboxDispatcher } from './dispatcher';
import type { OutboxRelay } from './relay';

export interface OutboxLoopOptions {
  relay: OutboxRelay;
  /** Absent while no channel is registered: notices then wait in the queue, unfailed. */
  dispatcher?: OutboxDispatcher;
  logger: Logger;
  /** Pause between passes when the last one found nothing to do. Default 250 ms. */
  intervalMs?: number;
  /**
   * Pause after a pass that did some work and left none waiting: a steady stream of orders
   * is then relayed and sent a few at a time rather than one pass per order. A pass that
   * filled its batch (more waiting) is followed at once. Default 50 ms.
   */
  busyPauseMs?: number;
}

/** Notices one pass dispatches at most; a pass that reaches it leaves more waiting. */
const DISPATCH_LIMIT = 100;
/** How often the history catch-up (outcomes stored without their order-history line, after a crash) runs. */
const HISTORY_CATCH_UP_MS = 5_000;

/**
 * Runs relay → history catch-up → dispatch on a timer, one pass at a time. `stop()` lets the
 * current notification finish and its outcome be stored, then resolves: work is never cut
 * in half on shutdown; unclaimed entries simply wait for the next start.
 */
export class OutboxLoop {
  private readonly task: PeriodicTask;
  private lastRelayAt = 0;
  private lastRelayed = 0;
  private lastHistoryAt = 0;
  private backlog = false;

  constructor(private readonly options: OutboxLoopOptions) {
    const run = async () => {
      if ((await this.runPass()) === 0) return false;
      return this.backlog ? true : { nextInMs: options.busyPauseMs ?? 50 };
    };
    this.task = new PeriodicTask({
      name: 'outbox',
      logger: options.logger,
      intervalMs: options.intervalMs ?? 250,
      run,
    });
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
      this.backlog = false;
      const relayed = relayDue ? await relay.relayOnce() : 0;
      if (relayDue) [this.lastRelayAt, this.lastRelayed] = [Date.now(), relayed];
      if (!dispatcher) return 0;
      if (Date.now() - this.lastHistoryAt >= HISTORY_CATCH_UP_MS) {
        this.lastHistoryAt = Date.now();
        await dispatcher.recordPendingHistory();
      }
      const dispatched = await dispatcher.dispatchOnce(DISPATCH_LIMIT, () => !this.task.stopping);
      this.backlog = (relayDue && relay.lastPassFull) || dispatched >= DISPATCH_LIMIT;
      return relayed + dispatched;
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
