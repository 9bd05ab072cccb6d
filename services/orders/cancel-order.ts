import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, reasonSchema, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ reason: reasonSchema });

/** An analyst cancels an open order (duplicate, mistake) with a reason (any open state → `cancelled`). */
export async function cancelOrder(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'cancel', request, { reason: request.reason });
}
