import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';

/** Activity 8: an analyst closes a resolved order (`resolved` → `closed`); the Cédula follows from it. */
export async function closeOrder(deps: TransitionDeps, input: TransitionInput): Promise<ServiceOrder> {
  const request = parseInput(TransitionInput, input);
  return applyTransition(deps, 'close', request);
}
