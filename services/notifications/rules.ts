import type { Action, OrderStatus } from '../workflow';
import type { NoticeEvent } from './events';

/**
 * Who, relative to the order, a rule speaks to:
 * - `requester`: the order's requester (Teams or email, as reachable);
 * - `analysts`: the Service Desk analysts (all, or those on duty: ANALYST_ROUTING);
 * - `engineer`: the engineer the order is turned to, after the change;
 * - `previous_engineer`: on a reassignment, the engineer the order was taken from;
 * - `provider`: the contact emails of the provider the order is turned to (always email);
 * - `judges`: the judges of the order's centre.
 */
export type Audience = 'requester' | 'analysts' | 'engineer' | 'previous_engineer' | 'provider' | 'judges';

/** One line of the routing table: this audience hears this event, and its card offers these actions. */
export interface RouteRule {
  readonly audience: Audience;
  readonly event: NoticeEvent;
  /** Actions the recipient's card (or mail instructions) offers; the card draws them from the workflow. */
  readonly actions: readonly Action[];
}

const r = (audience: Audience, event: NoticeEvent, actions: readonly Action[] = []): RouteRule => ({
  audience,
  event,
  actions,
});

/**
 * "Who hears what" (PROCESS.md) as one table, per transition and per non-transition event.
 * A person hears at most one notice per change: when a person falls under several rules
 * (an analyst who is also the requester), the FIRST rule listed for them wins, so rules are
 * listed most specific first. The actor never hears of their own action, except the folio
 * receipt of a self-report by mail (a chat report shows the folio in its reply).
 *
 * Beyond the literal page, following the seed: on `sign` the engineer and the provider are
 * told (activity 6 ends with the signed validation handed to them, so they can document
 * it), and on `cancel` the engineer and provider working on it are told to stop.
 */
export const TRANSITION_ROUTES: Readonly<Record<Action | 'report', readonly RouteRule[]>> = {
  report: [r('requester', 'order_reported'), r('analysts', 'new_order', ['take', 'assign_engineer'])],
  take: [r('requester', 'status_changed')],
  close_remotely: [r('requester', 'status_changed', ['reopen'])],
  assign_engineer: [r('engineer', 'order_assigned', ['accept']), r('requester', 'status_changed')],
  reassign: [
    r('engineer', 'order_assigned', ['accept']),
    r('previous_engineer', 'order_unassigned'),
    r('requester', 'status_changed'),
  ],
  accept: [r('requester', 'status_changed')],
  resolve_onsite: [r('requester', 'status_changed'), r('analysts', 'order_resolved', ['close'])],
  turn_to_provider: [
    r('provider', 'turned_to_provider', ['record_provider_attention']),
    r('requester', 'status_changed'),
  ],
  // The engineer who turned it to the provider follows it; they hear nothing when they record it themselves.
  record_provider_attention: [
    r('requester', 'validation_request', ['confirm', 'reject']),
    r('engineer', 'provider_attended'),
  ],
  confirm: [r('judges', 'signature_request', ['sign', 'refuse_signature']), r('analysts', 'order_validated')],
  reject: [
    r('engineer', 'validation_rejected', ['record_provider_attention']),
    r('provider', 'validation_rejected', ['record_provider_attention']),
  ],
  sign: [
    r('requester', 'status_changed'),
    r('engineer', 'order_signed', ['document']),
    r('provider', 'order_signed', ['document']),
    r('analysts', 'signature_done'),
  ],
  // The requester is asked again, with the judge's reason; those who attended and the desk learn why.
  refuse_signature: [
    r('requester', 'validation_request', ['confirm', 'reject']),
    r('engineer', 'signature_refused'),
    r('provider', 'signature_refused'),
    r('analysts', 'signature_refused'),
  ],
  document: [
    r('requester', 'status_changed'),
    r('analysts', 'order_resolved', ['close']),
    r('engineer', 'order_resolved'),
  ],
  close: [r('requester', 'status_changed', ['reopen'])],
  cancel: [r('requester', 'status_changed'), r('engineer', 'order_cancelled'), r('provider', 'order_cancelled')],
  reopen: [r('analysts', 'order_reopened', ['assign_engineer', 'close_remotely']), r('engineer', 'order_reopened')],
  // Orders that do not move: a new priority changes the deadlines of whoever works the order
  // (the engineer on it, and the other analysts); a correction is on the history and card only.
  set_priority: [r('engineer', 'priority_changed'), r('analysts', 'priority_changed')],
  correct_facts: [],
  // Staff writing to the requester: the requester hears the words; an internal note reaches no one.
  message_requester: [r('requester', 'staff_message')],
  add_note: [],
};

/**
 * Notices that do not come from a state change, and who hears them (the producers —
 * services/sla, services/cedula, the validation reminder — follow this).
 */
export const EVENT_ROUTES = {
  sla_warning: [r('analysts', 'sla_warning'), r('engineer', 'sla_warning')],
  sla_breach: [r('analysts', 'sla_breach'), r('engineer', 'sla_breach')],
  /** The judges only when one signed the order's validation (see `cedulaNoticeDrafts`). */
  cedula_issued: [r('requester', 'cedula_issued'), r('judges', 'cedula_issued')],
  validation_reminder: [r('requester', 'validation_reminder', ['confirm', 'reject'])],
} as const satisfies Record<string, readonly RouteRule[]>;

/**
 * Rows for the destinations only a policy variant of the workflow produces (see
 * `transitionsFor`): an on-site resolution that asks the requester to confirm, and a
 * rejection of an order without provider, which goes back to the engineer.
 */
export const VARIANT_ROUTES: Readonly<Partial<Record<`${Action}>${OrderStatus}`, readonly RouteRule[]>>> = {
  'resolve_onsite>validation': [r('requester', 'validation_request', ['confirm', 'reject'])],
  'reject>diagnosis': [r('engineer', 'validation_rejected', ['resolve_onsite', 'turn_to_provider'])],
};

/** The rows for a change: the variant's when its destination has one, else the action's. */
export function routesFor(action: Action | 'report', to: OrderStatus): readonly RouteRule[] {
  return (action !== 'report' && VARIANT_ROUTES[`${action}>${to}`]) || TRANSITION_ROUTES[action];
}
