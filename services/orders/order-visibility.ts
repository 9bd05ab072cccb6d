import type { Person } from '../directory/schema';
import type { ServiceOrder } from './types';

/**
 * Who asks to read an order: a directory person, or someone outside the directory known at
 * most by the address their identity provider (Teams) vouches for.
 */
export type OrderViewer = { person: Person } | { person: null; email?: string };

type VisibleFacts = Pick<ServiceOrder, 'requester' | 'engineer' | 'provider' | 'centreId'>;

/**
 * Whether `viewer` may read `order` (requester, centre, description, history): the analysts
 * and admins, its requester, its engineer, the provider it is turned to, and the judges of
 * its centre. Someone outside the directory sees only an order they reported themselves,
 * matched on the address Teams gives for them. Every edge that shows an order asks this,
 * and answers anyone else exactly as for a folio that does not exist, so folios cannot be
 * walked to learn who reported what.
 */
export function canSeeOrder(viewer: OrderViewer, order: VisibleFacts): boolean {
  const person = viewer.person;
  if (!person) {
    const email = viewer.email?.toLowerCase();
    return Boolean(email) && order.requester.personId === undefined && order.requester.email?.toLowerCase() === email;
  }
  const roles = person.roles;
  if (roles.includes('analyst') || roles.includes('admin')) return true;
  if (order.requester.personId === person.id) return true;
  if (order.engineer?.personId === person.id) return true;
  if (person.providerId !== undefined && order.provider?.providerId === person.providerId) return true;
  return roles.includes('judge') && person.centreIds.includes(order.centreId);
}

/** History entries for the desk's own staff only (see `add-internal-note.ts`). */
export const INTERNAL_ACTIONS: ReadonlySet<string> = new Set(['add_note']);

/**
 * Whether `viewer` is desk staff who may read internal notes: analysts, admins and
 * engineers. The requester, judges, providers and anyone outside the directory are not.
 */
export function readsInternalNotes(viewer: OrderViewer | 'service'): boolean {
  if (viewer === 'service') return true;
  const roles = viewer.person?.roles ?? [];
  return roles.includes('analyst') || roles.includes('admin') || roles.includes('engineer');
}

/**
 * The order as `viewer` may read it: internal notes are dropped for anyone who is not
 * staff, so a requester's views (status, cards, reads) never carry them.
 */
export function orderFor<T extends Pick<ServiceOrder, 'history'>>(order: T, viewer: OrderViewer | 'service'): T {
  if (readsInternalNotes(viewer)) return order;
  return { ...order, history: order.history.filter((h) => !INTERNAL_ACTIONS.has(h.action)) };
}
