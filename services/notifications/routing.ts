import type { Action, OrderStatus, Role } from '../workflow';
import type { PendingNotice, PersonSnapshot, ServiceOrder } from '../orders/types';

/** The change being announced. `report` is the creation of the order. */
export interface RoutedTransition {
  action: Action | 'report';
  from?: OrderStatus;
  to: OrderStatus;
  /** For a reassignment: the engineer the order was taken from. */
  previousEngineer?: PersonSnapshot;
}

/** Who could be told, as looked up in the directory by the caller (routing reads nothing). */
export interface RoutingAudience {
  analysts: readonly { id: string; email: string }[];
  /** Judges of the order's centre. */
  judges: readonly { id: string; email: string }[];
  /** Contact emails of the provider the order is turned to, if any. */
  providerEmails: readonly string[];
}

/** The event names a notice can carry; the sender picks the message by this. */
export type NoticeEvent =
  | 'order_reported' | 'new_order' | 'status_changed' | 'validation_request' | 'order_assigned'
  | 'order_unassigned' | 'validation_rejected' | 'turned_to_provider' | 'signature_request'
  | 'order_validated' | 'order_resolved'
  /** From services/sla and services/cedula, not from a state change. */
  | 'sla_warning' | 'sla_breach' | 'cedula_issued';

interface Draft {
  event: NoticeEvent;
  personId?: string;
  email?: string;
  role: Role | 'provider_contact';
}

function forRequester(t: RoutedTransition, order: ServiceOrder): Draft[] {
  const r = order.requester;
  const event: NoticeEvent = t.action === 'report' ? 'order_reported' : t.to === 'validation' ? 'validation_request' : 'status_changed';
  return [{ event, personId: r.personId, email: r.email, role: 'requester' }];
}

function forAnalysts(t: RoutedTransition, audience: RoutingAudience): Draft[] {
  const event: NoticeEvent | undefined =
    t.action === 'report' ? 'new_order'
      : t.to === 'signature' || t.to === 'validated' ? 'order_validated'
        : t.to === 'resolved' ? 'order_resolved'
          : undefined;
  if (!event) return [];
  return audience.analysts.map((a) => ({ event, personId: a.id, email: a.email, role: 'analyst' as const }));
}

function forEngineers(t: RoutedTransition, order: ServiceOrder): Draft[] {
  const drafts: Draft[] = [];
  const engineer = order.engineer;
  if (engineer && (t.action === 'assign_engineer' || t.action === 'reassign')) {
    drafts.push({ event: 'order_assigned', personId: engineer.personId, email: engineer.email, role: 'engineer' });
  }
  const previous = t.previousEngineer;
  if (t.action === 'reassign' && previous && previous.personId !== engineer?.personId) {
    drafts.push({ event: 'order_unassigned', personId: previous.personId, email: previous.email, role: 'engineer' });
  }
  if (engineer && t.action === 'reject') {
    drafts.push({ event: 'validation_rejected', personId: engineer.personId, email: engineer.email, role: 'engineer' });
  }
  return drafts;
}

function forProviderAndJudges(t: RoutedTransition, audience: RoutingAudience): Draft[] {
  const drafts: Draft[] = [];
  if (t.action === 'turn_to_provider' || t.action === 'reject') {
    const event: NoticeEvent = t.action === 'reject' ? 'validation_rejected' : 'turned_to_provider';
    for (const email of audience.providerEmails) drafts.push({ event, email, role: 'provider_contact' });
  }
  if (t.to === 'signature') {
    for (const j of audience.judges) drafts.push({ event: 'signature_request', personId: j.id, email: j.email, role: 'judge' });
  }
  return drafts;
}

function recipientKey(d: Draft): string | undefined {
  if (d.personId) return d.personId;
  if (d.email) return `email:${d.email.toLowerCase()}`;
  return undefined;
}

/**
 * The notices a change of an order owes, per PROCESS.md "Who hears what": the requester at
 * every change of state (the folio at report, the validation request when the order awaits
 * it); analysts for new orders, validations and resolutions; the engineer the order is
 * turned to (and the one it is taken from, and the assigned one on a rejected validation);
 * the provider's contact emails when turned to them or sent back on rejection; the judges of
 * the order's centre for the signature request.
 *
 * `order` is the order AFTER the change (its `version` is the new one). The actor never
 * hears about their own action — except the folio receipt of a self-report, which is the
 * requester's proof the report was registered. Ids are `${orderId}:${version}:${event}:${recipientKey}`,
 * so the same change always yields the same ids and a retry can never send twice; a
 * recipient with neither person id nor email is unreachable and skipped.
 */
export function routeNotices(
  t: RoutedTransition,
  order: ServiceOrder,
  actor: { personId?: string; email?: string },
  audience: RoutingAudience,
  now: Date,
): PendingNotice[] {
  const drafts = [...forRequester(t, order), ...forAnalysts(t, audience), ...forEngineers(t, order), ...forProviderAndJudges(t, audience)];
  const actorEmail = actor.email?.toLowerCase();
  const seen = new Set<string>();
  const notices: PendingNotice[] = [];
  for (const d of drafts) {
    const key = recipientKey(d);
    if (!key) continue;
    const isActor = (actor.personId && d.personId === actor.personId) || (actorEmail && d.email?.toLowerCase() === actorEmail);
    if (isActor && d.event !== 'order_reported') continue;
    const id = `${order._id.toHexString()}:${order.version}:${d.event}:${key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const recipient: PendingNotice['recipient'] = { role: d.role };
    if (d.personId) recipient.personId = d.personId;
    if (d.email) recipient.email = d.email;
    notices.push({ id, event: d.event, recipient, createdAt: now });
  }
  return notices;
}
