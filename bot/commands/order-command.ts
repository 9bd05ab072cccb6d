import { MessageFactory } from 'botbuilder';
import { AppError } from '../../services/errors';
import type { Person } from '../../services/directory/schema';
import type { TransitionInput } from '../../services/orders/inputs';
import type { ServiceOrder } from '../../services/orders/types';
import type { Role } from '../../services/workflow';
import { orderCard } from '../order-cards';
import { REPLIES } from '../replies';
import type { CommandContext } from './context';

/**
 * A typed command that changes one order (`prioridad`, `corregir`): only staff of the
 * given roles get past the first line, so nobody else learns whether a folio exists; the
 * order is looked up by folio and the use case runs against the version just read. A
 * refusal (not allowed, stale, bad value, no reason) is answered with its Spanish reason
 * and changes nothing; success shows the order's card as it is now.
 */
export async function runOrderCommand(
  ctx: CommandContext,
  folio: string | null,
  roles: readonly Role[],
  usage: string,
  run: (base: TransitionInput, person: Person) => Promise<ServiceOrder>,
  done: (order: ServiceOrder) => string,
): Promise<void> {
  const person = ctx.identity.person;
  if (!person || !person.roles.some((r) => roles.includes(r))) {
    await ctx.turn.sendActivity(REPLIES.notStaff);
    return;
  }
  if (!folio) {
    await ctx.turn.sendActivity(usage);
    return;
  }
  const order = await ctx.services.orders.findByFolio(folio);
  if (!order) {
    await ctx.turn.sendActivity(REPLIES.notFound(folio));
    return;
  }
  const base: TransitionInput = {
    orderId: order._id.toHexString(),
    actorId: person.id,
    channel: 'teams',
    expectedVersion: order.version,
  };
  let changed: ServiceOrder;
  try {
    changed = await run(base, person);
  } catch (error) {
    if (!AppError.is(error) || error.code === 'UPSTREAM') throw error;
    ctx.logger.info({ err: error, code: error.code, folio }, 'order command refused');
    await ctx.turn.sendActivity(REPLIES.orderCommand.refused(folio, error.userMessage));
    return;
  }
  const card = await orderCard(changed, person, ctx.services.directory, ctx.services.timeZone);
  await ctx.turn.sendActivity(MessageFactory.attachment(card, done(changed)));
}
