import { listMyReports } from '../../services/orders/list-work';
import { REPLIES } from '../replies';
import { CommandContext, MAX_LIST_CARDS, sendOrderList } from './context';

/** `mis reportes`: the open orders of the person who asks. */
export async function showMyReports(ctx: CommandContext): Promise<void> {
  const person = ctx.identity.person;
  if (!person) {
    await ctx.turn.sendActivity(REPLIES.myOrdersEmpty);
    return;
  }
  const page = await listMyReports(ctx.services, { requesterId: person.id, pageSize: MAX_LIST_CARDS });
  await sendOrderList(ctx, page, REPLIES.myOrders(page.total), REPLIES.myOrdersEmpty);
}
