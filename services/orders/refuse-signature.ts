import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, reasonSchema, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ reason: reasonSchema });

/** A judge of the order's centre refuses to sign, with a reason (`signature` → `validation`). */
export async function refuseSignature(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'refuse_signature', request, { reason: request.reason });
}
