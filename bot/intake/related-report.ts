import { ObjectId } from 'mongodb';
import { z } from 'zod';
import type { Person } from '../../services/directory/schema';
import type { OrderStore } from '../../services/orders/order-store';
import type { ServiceOrder } from '../../services/orders/types';
import type { IntakeDraft } from './draft';

/** What the «Crear reporte relacionado» button of a closed order's card sends back (Action.Submit). */
const RelatedReportChoice = z.object({ relatedReport: z.string().regex(/^[0-9a-f]{24}$/i) });

/** The closed order's id in a message's value, null when the message is not that click, 'malformed' when forged. */
export function relatedReportOf(value: unknown): string | null | 'malformed' {
  if (!value || typeof value !== 'object' || !('relatedReport' in value)) return null;
  const parsed = RelatedReportChoice.safeParse(value);
  return parsed.success ? parsed.data.relatedReport.toLowerCase() : 'malformed';
}

/**
 * The order a related report may follow: one of `person`'s own, closed. Anyone else's, or an
 * unknown id, is null, so the button cannot be used to read other people's orders.
 */
export async function relatableOrder(
  orders: Pick<OrderStore, 'findById'>,
  person: Person | null,
  orderId: string,
): Promise<ServiceOrder | null> {
  if (!person) return null;
  const order = await orders.findById(ObjectId.createFromHexString(orderId));
  return order && order.status === 'closed' && order.requester.personId === person.id ? order : null;
}

/**
 * Fills a new draft from the closed order it follows: the link, the centre, and the same
 * equipment and place (an unknown inventory number stays unknown rather than asked again);
 * what fails now is asked.
 */
export function prefillRelated(draft: IntakeDraft, order: ServiceOrder): IntakeDraft {
  draft.relatedTo = order.folio;
  draft.centreId = order.centreId;
  draft.equipmentType = order.equipment.type;
  if (order.equipment.location) draft.location = order.equipment.location;
  draft.inventoryNumber = order.equipment.inventoryNumber ?? null;
  return draft;
}
