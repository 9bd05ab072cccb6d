import type { ServiceOrder } from '../../services/orders/types';
import type { OrderStatus } from '../../services/workflow';

/**
 * The timestamp an order gets when it first enters each state; a later visit (rework)
 * keeps the first. For building stored orders with a chosen life without the use cases,
 * in tests and benchmarks alike.
 */
export const FIRST_ENTERED: Partial<Record<OrderStatus, keyof ServiceOrder['timestamps']>> = {
  reported: 'reportedAt',
  desk: 'takenAt',
  engineer_assigned: 'engineerAssignedAt',
  diagnosis: 'acceptedAt',
  provider: 'providerAt',
  validation: 'providerAttendedAt',
  signature: 'confirmedAt',
  validated: 'signedAt',
  resolved: 'resolvedAt',
  closed: 'closedAt',
  cancelled: 'cancelledAt',
};
