import { AppError } from '../../services/errors';
import { getOrder } from '../../services/orders/get-order';
import { addToOrder } from '../follow-ups';
import { REPLIES } from '../replies';
import type { CommandContext } from './context';

/**
 * `agregar <folio> <texto>`: adds the words to the asker's own open order. A folio they
 * may not read is answered as one that does not exist; a malformed command says how.
 */
export async function addToOrderCommand(ctx: CommandContext, folio: string | null, text: string): Promise<void> {
  const person = ctx.identity.person;
  if (!person) {
    await ctx.turn.sendActivity(REPLIES.notRegistered);
    return;
  }
  if (!folio || !text) {
    await ctx.turn.sendActivity(REPLIES.followUp.badAdd);
    return;
  }
  try {
    const order = await getOrder(ctx.services, { folio, viewer: { person } });
    await addToOrder(ctx.turn, ctx.services, person, order._id.toHexString(), text, ctx.logger, ctx.orderChanged);
  } catch (error) {
    if (!AppError.is(error, 'NOT_FOUND')) throw error;
    await ctx.turn.sendActivity(REPLIES.notFound(folio));
  }
}
