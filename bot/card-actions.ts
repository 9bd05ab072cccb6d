import { ObjectId } from 'mongodb';
import type { Logger } from '../services/logger';
import { AppError } from '../services/errors';
import type { Person } from '../services/directory/schema';
import type { OrderServices } from '../services/orders/order-services';
import type { ServiceOrder } from '../services/orders/types';
import { ruleFor } from '../services/workflow';
import { errorCardJson, orderCardJson } from './order-cards';
import { ActionPayload, runAction } from '../services/orders/run-action';
import { changeNotice } from './live-cards';
import { REPLIES } from './replies';

/** Reads the invoke's `action.data`; a bad payload is a VALIDATION error with the Spanish reason. */
export function parseCardAction(value: unknown): ActionPayload {
  const data = (value as { action?: { data?: unknown } } | undefined)?.action?.data;
  const parsed = ActionPayload.safeParse(data);
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION',
      `invalid card action: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      REPLIES.card.badPayload,
    );
  }
  return parsed.data;
}

/**
 * Answers an Action.Execute: the refreshed card after the action (and `changed` is told,
 * so other cards of the order follow), or the card with the Spanish reason it was refused
 * (a bad payload, a sender not in the directory, or the use case's own refusal, shown on
 * the order as it is now; a stale card says what changed instead of a bare conflict).
 */
export async function answerCardAction(
  services: OrderServices,
  value: unknown,
  person: Person | null,
  log: Logger,
  changed?: (order: ServiceOrder) => Promise<void>,
): Promise<Record<string, unknown>> {
  let payload: ActionPayload;
  try {
    payload = parseCardAction(value);
  } catch (error) {
    log.warn({ err: error }, 'card action refused: bad payload');
    return errorCardJson(AppError.is(error) ? error.userMessage : REPLIES.card.badPayload);
  }
  if (!person) {
    log.warn({ orderId: payload.orderId }, 'card action refused: sender not in directory');
    return errorCardJson(REPLIES.card.unknownPerson);
  }
  const { directory, timeZone } = services;
  try {
    const order = await runAction(services, person, payload);
    log.info(
      { orderId: payload.orderId, verb: payload.verb, personId: person.id, status: order.status },
      'card action done',
    );
    await changed?.(order);
    return orderCardJson(
      order,
      person,
      directory,
      timeZone,
      { text: REPLIES.card.done(ruleFor(payload.verb).label), tone: 'info' },
      services.fileLink,
    );
  } catch (error) {
    if (!AppError.is(error)) throw error;
    log.warn({ err: error, code: error.code, orderId: payload.orderId, verb: payload.verb }, 'card action refused');
    const current = await services.orders.findById(ObjectId.createFromHexString(payload.orderId));
    if (!current) return errorCardJson(error.userMessage);
    // A card drawn before the order moved: it is redrawn as the order is now, saying what changed.
    // Too late to reopen: the redrawn card offers a related report, and the line says why.
    const text =
      error.code === 'CONFLICT'
        ? `${changeNotice(current)} ${REPLIES.card.checkAgain}`
        : error.details.window === 'passed'
          ? REPLIES.card.reopenTooLate(current.folio)
          : error.userMessage;
    return orderCardJson(current, person, directory, timeZone, { text, tone: 'error' }, services.fileLink);
  }
}
