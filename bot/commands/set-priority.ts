import { setPriority } from '../../services/orders/set-priority';
import { PRIORITY_LABELS } from '../../services/orders/types';
import { REPLIES } from '../replies';
import type { CommandContext } from './context';
import { runOrderCommand } from './order-command';
import type { PriorityChange } from './parse';

/** `prioridad OS-… <prioridad> <motivo>`: an analyst sets the order's priority, with a reason. */
export async function changePriority(
  ctx: CommandContext,
  folio: string | null,
  change: PriorityChange | null,
  reason: string,
): Promise<void> {
  const usage = REPLIES.orderCommand.priorityUsage;
  await runOrderCommand(
    ctx,
    change ? folio : null,
    ['analyst'],
    usage,
    (base) => setPriority(ctx.services, { ...base, ...change, reason }),
    (order) => REPLIES.orderCommand.priorityDone(order.folio, PRIORITY_LABELS[order.priority]),
  );
}
