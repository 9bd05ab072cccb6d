import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, reasonSchema, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ reason: reasonSchema });

/** Activity 6 rework: the requester rejects the attention with a reason (`validation` → `provider`). */
export async function rejectValidation(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'reject', request, { reason: request.reason });
}
