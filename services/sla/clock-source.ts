import { createHash } from 'node:crypto';
import type { DirectoryReader } from '../directory/directory-store';
import type { Contract } from '../directory/schema';
import type { ServiceOrder } from '../orders/types';
import { BusinessCalendar, calendarForCentre } from './calendar';
import { ClockContext, orderClocks, OrderClocks } from './clocks';
import { DeskTargets, DeskTargetSource, isTargetReader } from './targets';

export type ClockDirectory = Pick<DirectoryReader, 'centre' | 'contractById'>;

/** What places an order's clocks: its centre's calendar and, once turned to a provider, the contract. */
export type ClockPlace = Pick<ServiceOrder, 'centreId'> & {
  provider?: Pick<NonNullable<ServiceOrder['provider']>, 'contractId'>;
};

/**
 * Directory lookups for clocks, remembered for the life of one source: one pass of the
 * monitor, one report, one Cédula. Calendars are kept as the same object per centre so
 * their business timelines are built once. A centre missing from the directory (deleted
 * since the order was made) falls back to `fallbackZone` with Monday–Friday 09:00–18:00,
 * rather than stopping every clock of its orders.
 */
export class ClockSource {
  private readonly calendars = new Map<string, Promise<BusinessCalendar>>();
  private readonly contracts = new Map<string, Promise<Contract | null>>();
  private readonly targets = new Map<string, Promise<DeskTargets | null>>();
  private readonly bases = new Map<string, Promise<string>>();

  constructor(
    private readonly directory: ClockDirectory,
    private readonly desk: DeskTargetSource,
    /** TZ_DEFAULT, for a centre the directory does not know. */
    private readonly fallbackZone: string,
  ) {}

  calendar(centreId: string): Promise<BusinessCalendar> {
    let found = this.calendars.get(centreId);
    if (!found) {
      found = this.directory.centre(centreId).then((centre) => (centre ? calendarForCentre(centre) : this.fallback()));
      this.calendars.set(centreId, found);
    }
    return found;
  }

  contract(contractId: string): Promise<Contract | null> {
    let found = this.contracts.get(contractId);
    if (!found) {
      found = this.directory.contractById(contractId);
      this.contracts.set(contractId, found);
    }
    return found;
  }

  /** The desk's targets in a centre, from the directory when it is the source. */
  deskTargets(centreId: string): Promise<DeskTargets | null> {
    const source = this.desk;
    if (!isTargetReader(source)) return Promise.resolve(source);
    let found = this.targets.get(centreId);
    if (!found) {
      found = source.deskTargets(centreId);
      this.targets.set(centreId, found);
    }
    return found;
  }

  async context(order: ClockPlace, now: Date): Promise<ClockContext> {
    const contract = order.provider ? await this.contract(order.provider.contractId) : null;
    return {
      calendar: await this.calendar(order.centreId),
      desk: await this.deskTargets(order.centreId),
      now,
      ...(contract ? { contract } : {}),
    };
  }

  /**
   * A short fingerprint of everything besides the order that its clocks are measured
   * against: the centre's calendar, the desk's targets there and the contract's hours. Two
   * measurements of the same order with the same basis agree; a summary stored under another
   * basis (the directory changed a target or a calendar since) is measured again.
   */
  basis(order: ClockPlace): Promise<string> {
    const key = `${order.centreId}\u0000${order.provider?.contractId ?? ''}`;
    let found = this.bases.get(key);
    if (!found) {
      found = this.context(order, new Date(0)).then(({ calendar, desk, contract }) =>
        createHash('sha256')
          .update(
            JSON.stringify({
              calendar,
              desk,
              contract: contract && [contract.hours, contract.attentionHours, contract.resolutionHours],
            }),
          )
          .digest('base64url')
          .slice(0, 16),
      );
      this.bases.set(key, found);
    }
    return found;
  }

  async clocksOf(order: Parameters<typeof orderClocks>[0] & ClockPlace, now: Date): Promise<OrderClocks> {
    return orderClocks(order, await this.context(order, now));
  }

  private fallback(): BusinessCalendar {
    const day = { start: '09:00', end: '18:00' };
    return { zone: this.fallbackZone, hours: { mon: day, tue: day, wed: day, thu: day, fri: day }, closedDays: [] };
  }
}
