/** The event names a notice can carry; channels pick the words by this (see messages.ts). */
export const NOTICE_EVENTS = [
  'order_reported',
  'new_order',
  'status_changed',
  'validation_request',
  'validation_reminder',
  'order_assigned',
  'order_unassigned',
  'validation_rejected',
  'turned_to_provider',
  'signature_request',
  'order_validated',
  'order_signed',
  /** To the analysts: the judge signed (the engineer or provider hear `order_signed`, with their next step). */
  'signature_done',
  /** To the engineer, the provider and the analysts: the judge refused to sign, with the reason. */
  'signature_refused',
  'order_resolved',
  'order_cancelled',
  /** An analyst changed the priority of an open order (its deadlines change with it). */
  'priority_changed',
  /** To the assigned engineer: the provider recorded its attention (by mail link or card). */
  'provider_attended',
  /** To the analysts and the engineer who had it: the requester reopened a closed order. */
  'order_reopened',
  /** From a comment on an open order (services/orders/add-order-comment.ts), not from a state change. */
  'order_comment',
  /** An analyst or the assigned engineer wrote to the requester (services/orders/message-requester.ts). */
  'staff_message',
  /** From services/sla and services/cedula, not from a state change. */
  'sla_warning',
  'sla_breach',
  'cedula_issued',
] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];
