import type { Logger } from '../logger';
import { PeriodicTask } from '../scheduling/periodic-task';
import { issueCedula, IssueCedulaDeps } from './issue-cedula';
import type { MongoCedulaStore } from './cedula-store';

export interface CedulaIssuerDeps extends IssueCedulaDeps {
  store: IssueCedulaDeps['store'] & Pick<MongoCedulaStore, 'closedWithoutCedula'>;
  logger: Logger;
  intervalMs?: number;
}

/**
 * The post-commit step that turns a closure into a Cédula. The close use case only closes;
 * this loop finds closed orders without a Cédula (an indexed query on status) and issues
 * each. Kept apart from the close so a slow or failed PDF never fails or slows the closure,
 * and a Cédula missed during a crash or downtime is issued on the next pass. Several
 * instances may run it: `issueCedula` is idempotent per order.
 */
export class CedulaIssuer {
  private readonly task: PeriodicTask;

  constructor(private readonly deps: CedulaIssuerDeps) {
    this.task = new PeriodicTask({
      name: 'cedula',
      logger: deps.logger,
      intervalMs: deps.intervalMs ?? 5000,
      run: () => this.issueOnce(),
    });
  }

  /** Issues what is missing; returns how many Cédulas were handled. */
  async issueOnce(limit = 50): Promise<number> {
    let handled = 0;
    for (const id of await this.deps.store.closedWithoutCedula(limit)) {
      if (this.task.stopping) break;
      try {
        const record = await issueCedula(this.deps, id);
        this.deps.logger.info({ orderId: id.toHexString(), folio: record.folio }, 'cedula issued');
        handled += 1;
      } catch (error) {
        this.deps.logger.error({ err: error, orderId: id.toHexString() }, 'cedula not issued; will retry');
      }
    }
    return handled;
  }

  start(): void {
    this.task.start();
  }

  /** Lets the current pass end (it stops between orders), then resolves. */
  stop(): Promise<void> {
    return this.task.stop();
  }
}
