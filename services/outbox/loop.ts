import type { Logger } from '../logger';
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private lastRelayAt = 0;
  private lastRelayed = 0;

  constructor(private readonly options: OutboxLoopOptions) {}

  start(): void {
    this.stopping = false;
    this.schedule(0);
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
      return relayed + (await dispatcher.dispatchOnce(100, () => !this.stopping));
    } catch (error) {
      logger.error({ err: error }, 'outbox pass failed');
      return 0;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      let busy = false;
      this.running = this.runPass()
        .then((done) => { busy = done > 0; })
        .finally(() => {
          this.running = undefined;
          if (!this.stopping) this.schedule(busy ? 0 : this.options.intervalMs ?? 250);
        });
    }, delay);
  }
}
