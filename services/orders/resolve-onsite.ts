import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { longText, parseInput, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ documentation: longText });

/**
 * Activity 4 → 7: the assigned engineer solved it on site and documents diagnosis,
 * solution and parts (`diagnosis` → `resolved`); the documentation is required.
 */
export async function resolveOnsite(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'resolve_onsite', request, { documentation: request.documentation }, ({ by, now }) => ({
    resolution: { documentation: request.documentation, by, at: now },
  }));
}
