import type { Logger } from '../logger';

export interface PeriodicTaskOptions {
  /** Names the task in log lines, e.g. `sla` → "sla pass failed". */
  name: string;
  logger: Logger;
  /** Pause between the end of one pass and the start of the next. */
  intervalMs: number;
  /**
   * One pass. Resolving to exactly `true` means more work is waiting, so the next pass starts
   * at once instead of after `intervalMs`; `{ nextInMs }` asks for the next pass after that
   * pause instead; any other value (counts included) waits the interval.
   */
  run: () => Promise<unknown>;
}

/** The pause before the next pass that a pass's result asks for. */
function pauseAfter(result: unknown, intervalMs: number): number {
  if (result === true) return 0;
  const next = (result as { nextInMs?: unknown } | null | undefined)?.nextInMs;
  return typeof next === 'number' && next >= 0 ? next : intervalMs;
}

/**
 * Runs `run` again and again on a timer. What holds, for one instance:
 *
 * - Never two passes at once: the next pass is scheduled only when the previous one has
 *   settled, so a pass slower than the interval delays the next rather than overlapping it.
 * - A failing pass (a rejection or a throw) is logged with the task name and the loop goes on
 *   after the usual interval; one bad pass never ends the loop.
 * - `stop()` does not cut a pass in half: it cancels the pending timer, waits for the pass in
 *   flight, and once it resolves no further pass starts until `start()` is called again.
 *   Passes that walk many items should check `stopping` between items to end early.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private active = false;
  private stopRequested = false;

  constructor(private readonly options: PeriodicTaskOptions) {}

  /** True from `stop()` until the next `start()`; a long pass reads it to end between items. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Starts the first pass at once. Calling it while already started does nothing. */
  start(): void {
    this.stopRequested = false;
    if (this.active) return;
    this.active = true;
    // A pass still finishing from before a stop() reschedules itself once it settles.
    if (!this.running) this.schedule(0);
  }

  /** Cancels the next pass, waits for the one in flight (if any), then resolves. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass();
    }, delay);
  }

  private async pass(): Promise<void> {
    const { name, logger, intervalMs, run } = this.options;
    let pause = intervalMs;
    try {
      // Deferred so that a `run` which throws synchronously is caught like a rejection.
      pause = pauseAfter(await Promise.resolve().then(run), intervalMs);
    } catch (error) {
      logger.error({ err: error, task: name }, `${name} pass failed`);
    } finally {
      this.running = undefined;
      if (this.active) this.schedule(pause);
    }
  }
}
