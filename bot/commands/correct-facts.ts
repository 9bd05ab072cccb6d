import { correctFacts } from '../../services/orders/correct-facts';
import { REPLIES } from '../replies';
import type { CommandContext } from './context';
import { runOrderCommand } from './order-command';
import type { FactCorrection } from './parse';

/**
 * `corregir OS-… <campo> <valor> <motivo>`: an analyst, or the engineer the order is turned
 * to (the workflow decides which engineer), corrects one fact of the order, with a reason.
 */
export async function correctOrderFacts(
  ctx: CommandContext,
  folio: string | null,
  correction: FactCorrection | null,
  reason: string,
): Promise<void> {
  await runOrderCommand(
    ctx,
    correction ? folio : null,
    ['analyst', 'engineer'],
    REPLIES.orderCommand.correctionUsage,
    (base) => correctFacts(ctx.services, { ...base, [correction!.field]: correction!.value, reason }),
    (order) => REPLIES.orderCommand.correctionDone(order.folio),
  );
}
