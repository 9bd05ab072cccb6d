import type { Logger } from '../logger';
import type { OutboxDispatcher } from './dispatcher';
import type { OutboxRelay } from './relay';

export interface OutboxLoopOptions {
  relay: OutboxRelay;
  /** Absent while no channel is registered: notices then wait in the queue, unfailed. */
  dispatcher?: OutboxDispatcher;
  logger: Logger;
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

  constructor(private readonly options: OutboxLoopOptions) {}

  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /** One full pass; errors are logged, never thrown, so a DB hiccup does not end the loop. */
  async runPass(): Promise<void> {
    const { relay, dispatcher, logger } = this.options;
    try {
      await relay.relayOnce();
      if (!dispatcher) return;
      await dispatcher.recordPendingHistory();
      await dispatcher.dispatchOnce(100, () => !this.stopping);
    } catch (error) {
      logger.error({ err: error }, 'outbox pass failed');
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
      this.running = this.runPass().finally(() => {
        this.running = undefined;
        if (!this.stopping) this.schedule(this.options.intervalMs ?? 1000);
      });
    }, delay);
  }
}
