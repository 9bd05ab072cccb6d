import type { Priority } from '../orders/types';
import type { ServiceLevels } from '../directory/schema';

/** Hours (business time of the order's centre) per priority. */
export type HoursPerPriority = Readonly<Record<Priority, number>>;

/** The Service Desk's own targets; the provider's come from its contract. */
export interface DeskTargets {
  /** Report → taken by an analyst (or turned straight to an engineer). */
  responseHours: HoursPerPriority;
  /** Engineer assigned → engineer accepts and contacts the requester. */
  onsiteAttentionHours: HoursPerPriority;
  /** Report → resolved (or closed remotely), less the time waiting for the requester and the judge. */
  resolutionHours: HoursPerPriority;
}

/** Where the desk's targets for a centre come from: the directory (`serviceLevels`). */
export interface DeskTargetReader {
  /** The targets that hold in `centreId`; `null` when the directory sets none. */
  deskTargets(centreId: string): Promise<DeskTargets | null>;
}

/** Targets given outright (tests, benchmarks) or read per centre from the directory. */
export type DeskTargetSource = DeskTargets | DeskTargetReader;

export function isTargetReader(source: DeskTargetSource): source is DeskTargetReader {
  return typeof (source as DeskTargetReader).deskTargets === 'function';
}

/**
 * The desk targets for a centre: the directory's desk-wide service levels, with each clock
 * the centre overrides replaced by the centre's. The values live in the directory (see the
 * example directory's `serviceLevels`), never in code, so the desk changes them by import.
 */
export function targetsForCentre(levels: ServiceLevels | undefined, centreId: string): DeskTargets | null {
  if (!levels) return null;
  const own = levels.centres.find((c) => c.centreId === centreId);
  return {
    responseHours: own?.responseHours ?? levels.desk.responseHours,
    onsiteAttentionHours: own?.onsiteAttentionHours ?? levels.desk.onsiteAttentionHours,
    resolutionHours: own?.resolutionHours ?? levels.desk.resolutionHours,
  };
}
