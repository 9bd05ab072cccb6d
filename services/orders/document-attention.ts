import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { longText, parseInput, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ documentation: longText });

/**
 * Activity 7: the assigned engineer or the order's provider documents the validated
 * attention and sets it "Resuelta" (`validated` → `resolved`); documentation is required.
 */
export async function documentAttention(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'document', request, { documentation: request.documentation }, ({ order, by, now }) => ({
    resolution: { ...order.resolution, documentation: request.documentation, by, at: now },
  }));
}
