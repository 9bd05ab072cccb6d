import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, reasonSchema, SourceFields, TransitionInput } from './inputs';
import { answerOnce } from './validation-answer';

const Input = TransitionInput.extend({ reason: reasonSchema, ...SourceFields.shape });

/**
 * Activity 6 rework: the requester rejects the attention with a reason (`validation` →
 * `provider`); the engineer and the provider hear it with the reason. A second answer
 * changes nothing and is told so (see answerOnce). A mailed answer carries its mail's key
 * and files (SourceFields), as in confirmValidation.
 */
export async function rejectValidation(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return answerOnce(deps, request, () => applyTransition(deps, 'reject', request, { reason: request.reason }));
}
