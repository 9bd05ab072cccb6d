import { MessageFactory, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Person } from '../services/directory/schema';
import { AppError } from '../services/errors';
import type { Logger } from '../services/logger';
import { addFollowUp } from '../services/orders/add-follow-up';
import { compact } from '../services/orders/inputs';
import { listMyReports } from '../services/orders/list-work';
import type { OrderServices } from '../services/orders/order-services';
import { AttachmentMeta, EQUIPMENT_LABELS, ServiceOrder } from '../services/orders/types';
import { STATUS_LABELS } from '../services/workflow';
import { cardAttachment } from './cards/render';
import { REPLIES } from './replies';
import { looksLikeReport } from './intake/prefill';

/** Open orders offered at most when asking where a message belongs, newest first. */
export const MAX_FOLLOW_UP_CHOICES = 3;

/** A message the requester sent while they had open orders, waiting for them to say where it goes. */
export interface PendingFollowUp {
  text: string;
  /** Files that came with the message, already stored. */
  attachments?: AttachmentMeta[];
  /** The orders offered, so a click on a card drawn for another message cannot attach this one elsewhere. */
  orderIds: string[];
}
export type PendingFollowUpProperty = StatePropertyAccessor<PendingFollowUp | undefined>;

/** What the follow-up card's buttons send back (Action.Submit). */
export const FollowUpChoice = z.union([
  z.object({ followUp: z.literal('order'), orderId: z.string().regex(/^[0-9a-f]{24}$/i) }),
  z.object({ followUp: z.literal('new') }),
]);
export type FollowUpChoice = z.infer<typeof FollowUpChoice>;

/** The choice in a message's value, or null when the message is not a click on the follow-up card. */
export function followUpChoiceOf(value: unknown): FollowUpChoice | null | 'malformed' {
  if (!value || typeof value !== 'object' || !('followUp' in value)) return null;
  const parsed = FollowUpChoice.safeParse(value);
  return parsed.success ? parsed.data : 'malformed';
}

/**
 * Whether a free text may add to an order: a greeting or a thanks («hola», «buenos días»,
 * «gracias») is answered as always, without asking where it belongs.
 */
export function mayBeFollowUp(text: string): boolean {
  return looksLikeReport(text) || text.split(/\s+/).filter(Boolean).length >= 3;
}

const choiceTitle = (o: ServiceOrder) =>
  `${o.folio} · ${EQUIPMENT_LABELS[o.equipment.type]} (${STATUS_LABELS[o.status]})`;

/**
 * When `person` has open orders as requester, keeps `text` and asks whether it belongs to
 * one of them (their folios, newest first) or is a new report. False when they have none:
 * the message is then what it always was (a new report or a greeting).
 */
export async function askWhereItBelongs(
  context: TurnContext,
  services: OrderServices,
  pending: PendingFollowUpProperty,
  person: Person,
  text: string,
  attachments: AttachmentMeta[] = [],
): Promise<boolean> {
  const open = await listMyReports(services, { requesterId: person.id, pageSize: MAX_FOLLOW_UP_CHOICES });
  if (open.total === 0) return false;
  const orders = open.items.slice(0, MAX_FOLLOW_UP_CHOICES);
  const kept: PendingFollowUp = { text, orderIds: orders.map((o) => o._id.toHexString()) };
  if (attachments.length) kept.attachments = attachments;
  await pending.set(context, kept);
  const card = cardAttachment('followUp', {
    question: REPLIES.followUp.question(orders.length),
    quote: text,
    orders: orders.map((o) => ({ title: choiceTitle(o), orderId: o._id.toHexString() })),
  });
  await context.sendActivity(MessageFactory.attachment(card, REPLIES.followUp.lead));
  return true;
}

/**
 * Adds the requester's words to their order as a comment from Teams and says so; a refusal
 * (not their order, a concluded one, the text no longer valid) is answered in Spanish and
 * changes nothing.
 */
export async function addToOrder(
  context: TurnContext,
  services: OrderServices,
  person: Person,
  orderId: string,
  text: string,
  log: Logger,
  changed?: (order: ServiceOrder) => Promise<void>,
  attachments: AttachmentMeta[] = [],
): Promise<boolean> {
  try {
    const order = await addFollowUp(services, {
      orderId,
      actorId: person.id,
      channel: 'teams',
      text,
      ...(attachments.length ? { attachments: attachments.map((a) => compact(a)) } : {}),
    });
    log.info({ orderId, personId: person.id }, 'follow-up added to order');
    await changed?.(order);
    await context.sendActivity(REPLIES.followUp.added(order.folio, order.engineer?.name));
    return true;
  } catch (error) {
    if (!AppError.is(error)) throw error;
    log.warn({ err: error, code: error.code, orderId }, 'follow-up refused');
    await context.sendActivity(error.userMessage);
    return false;
  }
}
