import { z } from 'zod';
import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, reasonSchema, SourceFields, TransitionInput } from './inputs';
import { REOPEN_BUSINESS_DAYS, reopenWindow } from './reopen-window';

const Input = TransitionInput.extend({ reason: reasonSchema, ...SourceFields.shape });

export type ReopenOrderDeps = TransitionDeps & {
  directory: TransitionDeps['directory'] & Pick<DirectoryReader, 'centre'>;
};

/**
 * The requester says the failure came back («sigue fallando»): a closed order returns to
 * the desk (`closed` → `desk`) with the reason on its history, and the analysts and the
 * engineer who had it are told. Only within REOPEN_BUSINESS_DAYS business days of the
 * closure, in the centre's calendar; later it is refused (INVALID_TRANSITION, `window:
 * 'passed'`) and a new report linked to this one is the way. The Cédula already issued
 * stays as it was (it certifies the closure that happened) and is marked as superseded by
 * the reopening; the SLA timestamps keep the first closure, as they keep every first time.
 */
export async function reopenOrder(deps: ReopenOrderDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'reopen', request, { reason: request.reason }, async ({ order, now }) => {
    const centre = await deps.directory.centre(order.centreId);
    if (reopenWindow(order, centre, now) === 'passed') {
      throw new AppError(
        'INVALID_TRANSITION',
        `order ${order.folio} closed more than ${REOPEN_BUSINESS_DAYS} business days ago`,
        `La orden ${order.folio} se cerró hace más de ${REOPEN_BUSINESS_DAYS} días hábiles y ya no puede reabrirse; ` +
          `levante un nuevo reporte e indique el folio ${order.folio}.`,
        { window: 'passed', folio: order.folio },
      );
    }
    return order.cedula ? { cedula: { ...order.cedula, supersededAt: now } } : {};
  });
}
