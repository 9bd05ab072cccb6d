import { AppError } from '../errors';
import { STATUS_LABELS } from '../workflow';
import type { TransitionDeps } from './apply-transition';
import type { TransitionInput } from './inputs';
import { toObjectId } from './inputs';

/**
 * Runs a requester's answer to "¿Quedó resuelta la falla?". When it is refused because the
 * order already left `validation` (the requester answered before, from another card or by
 * mail), the refusal says so plainly in Spanish; nothing is written either way. Other
 * refusals (someone who is not the requester: FORBIDDEN) pass through unchanged.
 */
export async function answerOnce<T>(
  deps: Pick<TransitionDeps, 'orders'>,
  request: TransitionInput,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!AppError.is(error) || (error.code !== 'INVALID_TRANSITION' && error.code !== 'CONFLICT')) throw error;
    const order = await deps.orders.findById(toObjectId(request.orderId));
    if (!order || order.status === 'validation') throw error;
    throw new AppError(
      'INVALID_TRANSITION',
      `order ${request.orderId} already left validation (${order.status}); answer ignored`,
      `La validación de la orden ${order.folio} ya estaba registrada; la orden está «${STATUS_LABELS[order.status]}». No se hizo ningún cambio.`,
      { orderId: request.orderId, status: order.status, alreadyAnswered: true },
    );
  }
}
