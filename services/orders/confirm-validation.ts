import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';
import { answerOnce } from './validation-answer';

/**
 * Activity 6, first half: the order's own requester confirms the attention (`validation` →
 * `signature`); who, when and through which channel are kept for the Cédula. A second
 * answer changes nothing and is told so (see answerOnce).
 */
export async function confirmValidation(deps: TransitionDeps, input: TransitionInput): Promise<ServiceOrder> {
  const request = parseInput(TransitionInput, input);
  return answerOnce(deps, request, () =>
    applyTransition(deps, 'confirm', request, {}, ({ by, now }) => ({
      validation: { confirmedBy: by, at: now, channel: request.channel },
    })));
}
