import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';

/** Activity 4: the assigned engineer accepts and contacts the requester (`engineer_assigned` → `diagnosis`). */
export async function acceptOrder(deps: TransitionDeps, input: TransitionInput): Promise<ServiceOrder> {
  const request = parseInput(TransitionInput, input);
  return applyTransition(deps, 'accept', request);
}
