import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { longText, parseInput, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ solution: longText });

/**
 * Activity 2 → 8: the analyst solved it remotely and closes the order (`desk` → `closed`).
 * The solution text is required: it is what the Cédula reports as the attention given.
 */
export async function closeRemotely(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'close_remotely', request, { solution: request.solution }, ({ by, now }) => ({
    resolution: { solution: request.solution, by, at: now },
  }));
}
