import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, SourceFields, TransitionInput } from './inputs';
import { answerOnce } from './validation-answer';

const Input = TransitionInput.extend(SourceFields.shape);

/**
 * Activity 6, first half: the order's own requester confirms the attention (`validation` →
 * `signature`); who, when and through which channel are kept for the Cédula. A second
 * answer changes nothing and is told so (see answerOnce). A mailed answer carries its
 * mail's key and files (SourceFields), so the same mail confirms once and its files are kept.
 */
export async function confirmValidation(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return answerOnce(deps, request, () =>
    applyTransition(deps, 'confirm', request, {}, ({ by, now }) => ({
      validation: { confirmedBy: by, at: now, channel: request.channel },
    })),
  );
}
