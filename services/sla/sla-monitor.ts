import type { DirectoryReader } from '../directory/directory-store';
import type { Logger } from '../logger';
import { analystsToNotify, AnalystRouting } from '../notifications/analyst-routing';
import { PeriodicTask } from '../scheduling/periodic-task';
import { ClockSource } from './clock-source';
import { slaNotices, THRESHOLDS, thresholdMark, Threshold } from './sla-notices';
import type { MonitoredOrder, SlaStore } from './sla-store';
import type { DeskTargetSource } from './targets';

export interface SlaMonitorDeps {
  store: SlaStore;
  directory: Pick<DirectoryReader, 'centre' | 'contractById' | 'analysts'>;
  desk: DeskTargetSource;
  /** TZ_DEFAULT, for a centre the directory does not know. */
  zone: string;
  /** Which analysts hear of thresholds; every analyst when absent. */
  analystRouting?: AnalystRouting;
  logger: Logger;
  now?: () => Date;
  intervalMs?: number;
}

/**
 * Announces each SLA threshold of each order once: a warning at 75 % of a clock's target
 * and the breach at 100 %, to the analysts and the assigned engineer, through the order's
 * outbox.
 *
 * Safe with any number of instances and restarts without a lease: each pass recomputes
 * the clocks of every open order from stored facts, and a threshold is recorded by one
 * conditional write that adds its marker and pushes its notices only if the marker is
 * absent — two instances racing on the same threshold produce one write, and a restarted
 * instance sees the markers already stored. Downtime is caught up on the next pass, since
 * crossing is judged from elapsed time, not from the moment a timer fired. When a clock
 * crossed both thresholds while nobody was watching, both markers are recorded but only
 * the breach is announced: a late warning about something already breached is noise.
 * Paused and stopped clocks do not advance, so they never cross a threshold here.
 */
export class SlaMonitor {
  private readonly task: PeriodicTask;

  constructor(private readonly deps: SlaMonitorDeps) {
    this.task = new PeriodicTask({
      name: 'sla',
      logger: deps.logger,
      intervalMs: deps.intervalMs ?? 60_000,
      run: () => this.checkOnce(),
    });
  }

  /** One pass over the open orders; returns how many thresholds this instance recorded. */
  async checkOnce(): Promise<number> {
    const now = (this.deps.now ?? (() => new Date()))();
    const source = new ClockSource(this.deps.directory, this.deps.desk, this.deps.zone);
    let analysts: Awaited<ReturnType<SlaMonitorDeps['directory']['analysts']>> | undefined;
    let recorded = 0;
    for await (const order of this.deps.store.openOrders()) {
      if (this.task.stopping) break;
      const due = await this.dueThresholds(source, order, now);
      if (due.length === 0) continue;
      analysts ??= await analystsToNotify(this.deps.directory, this.deps.analystRouting ?? 'all');
      for (const { clock, thresholds } of due) {
        const announced = thresholds[thresholds.length - 1]!;
        const marks = thresholds.map((t) => thresholdMark(clock, t));
        const notices = slaNotices(order, clock, announced, analysts, now);
        if (await this.deps.store.recordThresholds(order._id, marks, notices)) {
          recorded += marks.length;
          this.deps.logger.info(
            { orderId: order._id.toHexString(), clock, threshold: announced, notices: notices.length },
            'sla threshold queued',
          );
        }
      }
    }
    return recorded;
  }

  private async dueThresholds(source: ClockSource, order: MonitoredOrder, now: Date) {
    const { clocks } = await source.clocksOf(order, now);
    const marks = new Set(order.slaMarks ?? []);
    const due: { clock: (typeof clocks)[number]['name']; thresholds: Threshold[] }[] = [];
    for (const c of clocks) {
      if (c.stoppedAt || c.targetMs <= 0) continue;
      const crossed = THRESHOLDS.filter(
        (t) => c.elapsedMs * 100 >= c.targetMs * t && !marks.has(thresholdMark(c.name, t)),
      );
      if (crossed.length > 0) due.push({ clock: c.name, thresholds: crossed });
    }
    return due;
  }

  start(): void {
    this.task.start();
  }

  /** Lets the current pass end (it stops between orders), then resolves. */
  stop(): Promise<void> {
    return this.task.stop();
  }
}
