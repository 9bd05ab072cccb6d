import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';
import { orderDigest } from './order-digest';

/**
 * Activity 6, second half: a judge of the order's centre signs and seals (`signature` →
 * `validated`). The signature keeps the judge's snapshot, the time, and the SHA-256 digest
 * of the order summary as it stood when signed; the version guard of the write ensures the
 * summary digested is exactly the one the judge was shown (when the card sent its version).
 */
export async function signOrder(deps: TransitionDeps, input: TransitionInput): Promise<ServiceOrder> {
  const request = parseInput(TransitionInput, input);
  return applyTransition(deps, 'sign', request, {}, ({ order, by, now }) => ({
    signature: { judge: by, at: now, digest: orderDigest(order) },
  }));
}
