import type { Priority } from '../orders/types';

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

/**
 * The service's default desk targets, in business hours of the order's centre. They are a
 * service-wide default, not per centre: the directory holds only provider contracts, and
 * the desk is one central team whose own commitments do not vary by centre. The values are
 * the desk's internal commitments (15 min to answer a critical report, one business day to
 * resolve it); change them here, in one place, when the desk agrees new ones.
 */
export const DEFAULT_DESK_TARGETS: DeskTargets = {
  responseHours: { critical: 0.25, high: 0.5, medium: 1, low: 2 },
  onsiteAttentionHours: { critical: 2, high: 4, medium: 8, low: 16 },
  resolutionHours: { critical: 9, high: 18, medium: 27, low: 45 },
};
