import { z } from 'zod';
import { AppError } from '../errors';
import { CHANNELS, FINAL_STATUSES } from '../workflow';
import type { DirectoryReader } from '../directory/directory-store';
import { analystsToNotify, AnalystRouting } from '../notifications/analyst-routing';
import type { OrderStore } from './order-store';
import type { HistoryEntry, PendingNotice, PersonSnapshot, ServiceOrder } from './types';
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

function noticeFor(order: ServiceOrder, version: number, to: PersonSnapshot | { personId: string; email: string }, role: PendingNotice['recipient']['role'], now: Date): PendingNotice {
  const key = to.personId ?? `email:${to.email?.toLowerCase()}`;
  const recipient: PendingNotice['recipient'] = { role };
  if (to.personId) recipient.personId = to.personId;
  if (to.email) recipient.email = to.email;
  return { id: `${order._id.toHexString()}:${version}:order_comment:${key}`, event: 'order_comment', recipient, createdAt: now };
}

/**
 * Appends a comment to an order's history without changing its state, and tells the other
 * side: a comment by the requester goes to the assigned engineer (else the analyst who took
 * the order, else every analyst); a comment by anyone else goes to the requester. Files
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
    throw new AppError('INVALID_TRANSITION', `order ${order.folio} is ${order.status}`, `La orden ${order.folio} ya está concluida; no admite comentarios.`);
  }
  const actor = await deps.directory.personById(input.actorId);
  if (!actor) throw new AppError('FORBIDDEN', `actor ${input.actorId} not in directory`, 'Usted no está registrado en el directorio de la Mesa de Servicio.');
  const now = (deps.now ?? (() => new Date()))();
  const version = order.version + 1;
  const byRequester = actor.id === order.requester.personId;
  const notices: PendingNotice[] = [];
  if (byRequester) {
    const assignee = order.engineer ?? order.analyst;
    if (assignee) notices.push(noticeFor(order, version, assignee, order.engineer ? 'engineer' : 'analyst', now));
    else for (const a of await analystsToNotify(deps.directory, deps.analystRouting ?? 'all')) notices.push(noticeFor(order, version, { personId: a.id, email: a.email }, 'analyst', now));
  } else if (order.requester.personId || order.requester.email) {
    notices.push(noticeFor(order, version, order.requester, 'requester', now));
  }
  const history: HistoryEntry = { at: now, action: 'comment', by: snapshotOf(actor), channel: input.channel, note: input.text };
  if (input.sourceId) history.sourceId = input.sourceId;
  if (input.attachments?.length) history.attachments = input.attachments.map((a) => compact(a));
  const written = await deps.orders.applyChange({
    id: order._id, from: order.status, version: order.version, set: { updatedAt: now }, history,
    notices: notices.filter((n) => n.recipient.personId !== actor.id),
  });
  if (written) return written;
  throw (await deps.orders.findById(order._id)) ? conflictError(input.orderId) : notFoundError(input.orderId);
}
