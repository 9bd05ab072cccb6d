import { z } from 'zod';
import { AppError } from '../errors';
import { directoryId } from '../directory/schema';
import type { ServiceOrder } from './types';
import { applyTransition } from './apply-transition';
import { EngineerDeps, requireEngineer } from './assign-engineer';
import { parseInput, reasonSchema, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ engineerId: directoryId, reason: reasonSchema });

/**
 * An analyst moves the order to another engineer (`engineer_assigned`|`diagnosis` →
 * `engineer_assigned`), with a reason; the new engineer must serve the centre and differ
 * from the current one. Both engineers are told.
 */
export async function reassignEngineer(deps: EngineerDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  const fields = { engineerId: request.engineerId, reason: request.reason };
  return applyTransition(deps, 'reassign', request, fields, async ({ order }) => {
    if (order.engineer?.personId === request.engineerId) {
      throw new AppError(
        'VALIDATION',
        'reassign to the same engineer',
        'engineerId: la orden ya está asignada a ese ingeniero.',
        { field: 'engineerId' },
      );
    }
    return { engineer: await requireEngineer(deps.directory, request.engineerId, order.centreId) };
  });
}
