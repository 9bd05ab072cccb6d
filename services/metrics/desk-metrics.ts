import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the poller reports about itself (intake/poller.ts `stats()`), read at each scrape. */
export interface IntakeCounters {
  state: string;
  processed: number;
  refused: number;
  quarantined: number;
  automated: number;
  duplicates: number;
}

const INTAKE_RESULTS = ['processed', 'refused', 'quarantined', 'automated', 'duplicates'] as const;

/**
 * The service's Prometheus metrics, in a registry of their own (no global state, so tests and
 * several services in one process do not mix). Every value is kept up to date as things
 * happen, or read from an in-memory counter, so a scrape only formats numbers: nothing here
 * queries the database when `/metrics` is read.
 */
export class DeskMetrics {
  readonly registry = new Registry();

  /** Orders by state and centre: seeded by one aggregation, then moved by each write. */
  readonly orders = new Gauge({
    name: 'mesa_orders',
    help: 'Service orders by state and centre',
    labelNames: ['status', 'centre'] as const,
    registers: [this.registry],
  });

  /** Final (and retried) notice outcomes, by the channel that carried it. */
  readonly notices = new Counter({
    name: 'mesa_notices_total',
    help: 'Notification attempts by channel and outcome (sent_teams, sent_email, fell_back, failed, retry)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly slaBreaches = new Counter({
    name: 'mesa_sla_breaches_total',
    help: 'SLA breaches recorded (a clock reaching 100 % of its target), by clock',
    labelNames: ['clock'] as const,
    registers: [this.registry],
  });

  readonly slaWarnings = new Counter({
    name: 'mesa_sla_warnings_total',
    help: 'SLA warnings recorded (a clock reaching 75 % of its target), by clock',
    labelNames: ['clock'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'mesa_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(options: { intake?: () => IntakeCounters | undefined; processMetrics?: boolean } = {}) {
    const intake = options.intake;
    if (intake) {
      new Counter({
        name: 'mesa_intake_mails_total',
        help: 'Mails handled by the desk mailbox poller of this instance, by result',
        labelNames: ['result'] as const,
        registers: [this.registry],
        collect() {
          const stats = intake();
          this.reset();
          if (stats) for (const result of INTAKE_RESULTS) this.inc({ result }, stats[result]);
        },
      });
      new Gauge({
        name: 'mesa_intake_connected',
        help: '1 while this instance holds the desk mailbox and is connected to it',
        registers: [this.registry],
        collect() {
          this.set(intake()?.state === 'connected' ? 1 : 0);
        },
      });
    }
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'mesa_' });
  }

  /** An order entered `status` (created, or moved there from `from`). */
  orderMoved(centre: string, to: string, from?: string): void {
    if (from === to) return;
    if (from !== undefined) this.orders.dec({ status: from, centre });
    this.orders.inc({ status: to, centre });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
