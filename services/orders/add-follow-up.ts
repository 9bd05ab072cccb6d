import { z } from 'zod';
import { AppError } from '../errors';
import { directoryId } from '../directory/schema';
import { CHANNELS, FINAL_STATUSES } from '../workflow';
import { addOrderComment, AddOrderCommentDeps } from './add-order-comment';
import { notFoundError } from './apply-transition';
import { orderIdSchema, parseInput, SourceFields, toObjectId } from './inputs';
import type { ServiceOrder } from './types';

const Input = z.strictObject({
  orderId: orderIdSchema,
  actorId: directoryId,
  channel: z.enum(CHANNELS),
  text: z.string().trim().min(1, 'el mensaje está vacío').max(5000),
  /** Files sent with it (already stored by the edge), named on the comment. */
  attachments: SourceFields.shape.attachments,
});
export type AddFollowUpInput = z.input<typeof Input>;

/**
 * The requester adds to their own open order (a detail, an answer to staff). Only the
 * order's requester may: anyone else is FORBIDDEN, told as for a folio that is not theirs,
 * and a concluded order refuses it; nothing is written then. The comment itself, and who
 * hears it (the assigned engineer, else the analyst who took it, else the analysts), is
 * `addOrderComment`'s.
 */
export async function addFollowUp(deps: AddOrderCommentDeps, raw: AddFollowUpInput): Promise<ServiceOrder> {
  const input = parseInput(Input, raw);
  const order = await deps.orders.findById(toObjectId(input.orderId));
  if (!order) throw notFoundError(input.orderId);
  if (order.requester.personId !== input.actorId) {
    throw new AppError(
      'FORBIDDEN',
      `person ${input.actorId} is not the requester of ${order.folio}`,
      `La orden ${order.folio} no es un reporte suyo; solo quien la reportó puede agregarle información.`,
    );
  }
  if (FINAL_STATUSES.includes(order.status)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `order ${order.folio} is ${order.status}`,
      `La orden ${order.folio} ya está concluida; si la falla volvió, escriba «reportar» para levantar un reporte nuevo.`,
    );
  }
  return addOrderComment(deps, input);
}
