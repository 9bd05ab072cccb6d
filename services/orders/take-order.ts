import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';

/** Activity 2: an analyst takes a reported order into the desk (`reported` → `desk`). */
export async function takeOrder(deps: TransitionDeps, input: TransitionInput): Promise<ServiceOrder> {
  const request = parseInput(TransitionInput, input);
  return applyTransition(deps, 'take', request);
}
