import { listAssigned } from '../../services/orders/list-work';
import { REPLIES } from '../replies';
import { CommandContext, MAX_LIST_CARDS, sendOrderList } from './context';

/** `mis asignadas`: the orders turned to the engineer who asks. */
export async function showAssigned(ctx: CommandContext): Promise<void> {
  const person = ctx.identity.person;
  if (!person?.roles.includes('engineer')) {
    await ctx.turn.sendActivity(REPLIES.notStaff);
    return;
  }
  const page = await listAssigned(ctx.services, { engineerId: person.id, pageSize: MAX_LIST_CARDS });
  await sendOrderList(ctx, page, REPLIES.assigned(page.total), REPLIES.assignedEmpty);
}
