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
import { directoryId, type Person } from '../directory/schema';

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
 * The latest message staff wrote to the requester, when the requester has not commented
 * since: the requester's next comment answers it.
 */
function openQuestion(order: ServiceOrder): HistoryEntry | undefined {
  for (let i = order.history.length - 1; i >= 0; i -= 1) {
    const h = order.history[i]!;
    if (h.action === 'message_requester') return h.by.personId ? h : undefined;
    if (h.action === 'comment' && h.by.personId === order.requester.personId) return undefined;
  }
  return undefined;
}

/**
 * Who hears a comment, most specific first: by anyone but the requester, the requester (and,
 * from the provider, the engineer who turned the order to it); by the requester, whoever
 * wrote the message they answer, then the engineer on the order, else the analyst who took
 * it, else the analysts.
 */
async function hearersOf(
  deps: AddOrderCommentDeps,
  order: ServiceOrder,
  actor: Person,
): Promise<Array<[Addressee, RecipientRole]>> {
  if (actor.id !== order.requester.personId) {
    const byProvider = actor.providerId !== undefined && actor.providerId === order.provider?.providerId;
    return [
      [order.requester, 'requester'],
      ...(byProvider && order.engineer ? [[order.engineer, 'engineer'] as [Addressee, RecipientRole]] : []),
    ];
  }
  const hearers: Array<[Addressee, RecipientRole]> = [];
  const asked = openQuestion(order);
  if (asked) hearers.push([asked.by, asked.role === 'engineer' ? 'engineer' : 'analyst']);
  if (order.engineer) hearers.push([order.engineer, 'engineer']);
  else if (order.analyst) hearers.push([order.analyst, 'analyst']);
  else
    for (const a of await analystsToNotify(deps.directory, deps.analystRouting ?? 'all'))
      hearers.push([{ personId: a.id, email: a.email }, 'analyst']);
  return hearers;
}

/**
 * Appends a comment to an order's history without changing its state, and tells the other
 * side (see `hearersOf`): a requester's answer to a staff message reaches whoever wrote it. Files
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
  const drafts = (await hearersOf(deps, order, actor)).map(([person, role]) => to(person, role));
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
