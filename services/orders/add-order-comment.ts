import { z } from 'zod';
import { AppError } from '../errors';
import { CHANNELS, FINAL_STATUSES } from '../workflow';
import type { DirectoryReader } from '../directory/directory-store';
import { analystsToNotify, AnalystRouting } from '../notifications/analyst-routing';
import type { OrderStore } from './order-store';
import type { HistoryEntry, ServiceOrder } from './types';
import { Addressee, NoticeDraft, noticesTo, RecipientRole } from '../notifications/notices';
import { conflictError, notFoundError } from './apply-transition';
import { compact, orderIdSchema, parseInput, snapshotOf, SourceFields, toObjectId } from './inputs';
import { directoryId } from '../directory/schema';

const Input = z.strictObject({
  orderId: orderIdSchema,
  actorId: directoryId,
  channel: z.enum(CHANNELS),
  text: z.string().trim().min(1, 'el comentario está vacío').max(5000),
  /** Where the comment came from (a mail's duplicate key): the same source is appended once. */
  sourceId: SourceFields.shape.sourceId,
  /** Files that came with the comment (a mailed reply's), named on its history entry. */
  attachments: SourceFields.shape.attachments,
});
export type AddOrderCommentInput = z.input<typeof Input>;

export interface AddOrderCommentDeps {
  orders: Pick<OrderStore, 'findById' | 'applyChange'>;
  directory: Pick<DirectoryReader, 'personById' | 'analysts'>;
  now?: () => Date;
  /** Which analysts hear a comment on an order nobody took yet; every analyst when absent. */
  analystRouting?: AnalystRouting;
}

/**
 * Appends a comment to an order's history without changing its state, and tells the other
 * side: a comment by the requester goes to the assigned engineer (else the analyst who took
 * the order, else every analyst); a comment by anyone else goes to the requester, and one by
 * the order's provider to its engineer as well. Files
 * that came with it (already stored by the edge) are named on the same history entry. Only
 * people in the directory may comment, and only on open orders. The write is the same
 * guarded one as a transition (status and version unchanged in the filter, version bumped)
 * so notice ids stay unique per change.
 */
export async function addOrderComment(deps: AddOrderCommentDeps, raw: AddOrderCommentInput): Promise<ServiceOrder> {
  const input = parseInput(Input, raw);
  const order = await deps.orders.findById(toObjectId(input.orderId));
  if (!order) throw notFoundError(input.orderId);
  if (input.sourceId && order.history.some((h) => h.sourceId === input.sourceId)) return order;
  if (FINAL_STATUSES.includes(order.status)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `order ${order.folio} is ${order.status}`,
      `La orden ${order.folio} ya está concluida; no admite comentarios.`,
    );
  }
  const actor = await deps.directory.personById(input.actorId);
  if (!actor)
    throw new AppError(
      'FORBIDDEN',
      `actor ${input.actorId} not in directory`,
      'Usted no está registrado en el directorio de la Mesa de Servicio.',
    );
  const now = (deps.now ?? (() => new Date()))();
  const occasion = `${order.version + 1}:order_comment`;
  const to = (person: Addressee, role: RecipientRole): NoticeDraft => ({
    occasion,
    event: 'order_comment',
    to: person,
    role,
  });
  const drafts: NoticeDraft[] = [];
  const byProvider = actor.providerId !== undefined && actor.providerId === order.provider?.providerId;
  if (actor.id !== order.requester.personId) {
    drafts.push(to(order.requester, 'requester'));
    // The engineer who turned the order to the provider follows what the provider says.
    if (byProvider && order.engineer) drafts.push(to(order.engineer, 'engineer'));
  } else if (order.engineer) drafts.push(to(order.engineer, 'engineer'));
  else if (order.analyst) drafts.push(to(order.analyst, 'analyst'));
  else
    for (const a of await analystsToNotify(deps.directory, deps.analystRouting ?? 'all'))
      drafts.push(to({ personId: a.id, email: a.email }, 'analyst'));
  const notices = noticesTo(order._id, drafts, now);
  const history: HistoryEntry = {
    at: now,
    action: 'comment',
    by: snapshotOf(actor),
    channel: input.channel,
    note: input.text,
  };
  if (input.sourceId) history.sourceId = input.sourceId;
  if (input.attachments?.length) history.attachments = input.attachments.map((a) => compact(a));
  const written = await deps.orders.applyChange({
    id: order._id,
    from: order.status,
    version: order.version,
    set: { updatedAt: now },
    history,
    notices: notices.filter((n) => n.recipient.personId !== actor.id),
  });
  if (written) return written;
  throw (await deps.orders.findById(order._id)) ? conflictError(input.orderId) : notFoundError(input.orderId);
}
