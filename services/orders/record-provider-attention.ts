import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';

/**
 * Activity 5 done: the assigned engineer or a contact of the order's provider records that
 * the provider attended (`provider` → `validation`); the requester is asked to validate.
 */
export async function recordProviderAttention(deps: TransitionDeps, input: TransitionInput): Promise<ServiceOrder> {
  const request = parseInput(TransitionInput, input);
  return applyTransition(deps, 'record_provider_attention', request);
}
