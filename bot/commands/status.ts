import { MessageFactory } from 'botbuilder';
import { AppError } from '../../services/errors';
import { getOrder } from '../../services/orders/get-order';
import type { OrderViewer } from '../../services/orders/order-visibility';
import type { ServiceOrder } from '../../services/orders/types';
import { STATUS_LABELS } from '../../services/workflow';
import { orderCard } from '../order-cards';
import { REPLIES } from '../replies';
import type { CommandContext } from './context';

/** `estado <folio>`: the order's card, as the asker may act on it. */
export async function showStatus(ctx: CommandContext, folio: string | null): Promise<void> {
  if (!folio) {
    await ctx.turn.sendActivity(REPLIES.badFolio);
    return;
  }
  let order: ServiceOrder;
  try {
    // Only the people on an order may read it; anyone else hears what an unknown folio gets.
    const viewer: OrderViewer = ctx.identity.person
      ? { person: ctx.identity.person }
      : { person: null, email: ctx.identity.email };
    order = await getOrder(ctx.services, { folio, viewer });
  } catch (error) {
    if (AppError.is(error, 'NOT_FOUND')) {
      await ctx.turn.sendActivity(REPLIES.notFound(folio));
      return;
    }
    ctx.logger.error({ err: error, folio }, 'order lookup failed');
    await ctx.turn.sendActivity(REPLIES.unavailable);
    return;
  }
  const { directory, timeZone, fileLink } = ctx.services;
  const card = await orderCard(order, ctx.identity.person, directory, timeZone, undefined, fileLink);
  await ctx.turn.sendActivity(
    MessageFactory.attachment(card, REPLIES.status(order.folio, STATUS_LABELS[order.status])),
  );
}
