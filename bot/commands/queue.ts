import { listQueue } from '../../services/orders/list-work';
import { REPLIES } from '../replies';
import { CommandContext, MAX_LIST_CARDS, sendOrderList } from './context';

/** `pendientes`: the analysts' queue of new orders. */
export async function showQueue(ctx: CommandContext): Promise<void> {
  if (!ctx.identity.person?.roles.includes('analyst')) {
    await ctx.turn.sendActivity(REPLIES.notStaff);
    return;
  }
  const page = await listQueue(ctx.services, { pageSize: MAX_LIST_CARDS });
  await sendOrderList(ctx, page, REPLIES.queue(page.total), REPLIES.queueEmpty);
}
