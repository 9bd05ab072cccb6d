import type { Action, OrderStatus, Role } from '../workflow';
import type { NoticeEvent } from './events';
import { RouteRule, routesFor } from './rules';
import type { PendingNotice, PersonSnapshot, ServiceOrder } from '../orders/types';
import { noticesTo } from './notices';

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

export type { NoticeEvent } from './events';

interface Draft {
  event: NoticeEvent;
  personId?: string;
  email?: string;
  role: Role | 'provider_contact';
}

function audienceDrafts(
  rule: RouteRule,
  t: RoutedTransition,
  order: Omit<ServiceOrder, 'folio'>,
  audience: RoutingAudience,
): Draft[] {
  const { event } = rule;
  const person = (p: PersonSnapshot | undefined, role: Role): Draft[] =>
    p ? [{ event, personId: p.personId, email: p.email, role }] : [];
  switch (rule.audience) {
    case 'requester':
      return person(order.requester, 'requester');
    case 'engineer':
      return person(order.engineer, 'engineer');
    case 'previous_engineer':
      return t.previousEngineer && t.previousEngineer.personId !== order.engineer?.personId
        ? person(t.previousEngineer, 'engineer')
        : [];
    case 'analysts':
      return audience.analysts.map((a) => ({ event, personId: a.id, email: a.email, role: 'analyst' as const }));
    case 'judges':
      return audience.judges.map((j) => ({ event, personId: j.id, email: j.email, role: 'judge' as const }));
    case 'provider':
      return audience.providerEmails.map((email) => ({ event, email, role: 'provider_contact' as const }));
  }
}

/**
 * The notices a change of an order owes, as the routing table (`routesFor`) says
 * (PROCESS.md "Who hears what"). Each person hears at most one notice per change: the first
 * rule that reaches them wins, whether they are known by directory id or by email.
 *
 * `order` is the order AFTER the change (its `version` is the new one). The actor never
 * hears about their own action — except the folio receipt of a self-report by mail, which is
 * the requester's proof the report was registered. A report made by chat showed its reporter
 * the folio in that chat's reply, so it owes them no receipt. Ids are `${orderId}:${version}:${event}:${recipientKey}`,
 * so the same change always yields the same ids and a retry can never send twice; a
 * recipient with neither person id nor email is unreachable and skipped.
 */
export function routeNotices(
  t: RoutedTransition,
  order: Omit<ServiceOrder, 'folio'>,
  actor: { personId?: string; email?: string },
  audience: RoutingAudience,
  now: Date,
): PendingNotice[] {
  const drafts = routesFor(t.action, t.to).flatMap((rule) => audienceDrafts(rule, t, order, audience));
  const actorEmail = actor.email?.toLowerCase();
  const toldInChat = t.action === 'report' && order.channel === 'teams';
  const isActor = (d: Draft) =>
    (actor.personId && d.personId === actor.personId) || (actorEmail && d.email?.toLowerCase() === actorEmail);
  const owed = drafts.filter((d) => !isActor(d) || (d.event === 'order_reported' && !toldInChat));
  return noticesTo(
    order._id,
    owed.map((d) => ({ occasion: `${order.version}:${d.event}`, event: d.event, to: d, role: d.role })),
    now,
  );
}
