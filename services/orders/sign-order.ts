import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';
import { orderDigest } from './order-digest';

/** A signature must name the version the judge was shown; without it nothing binds the two. */
const SignInput = TransitionInput.extend({
  expectedVersion: z.number({ error: 'falta la versión de la orden que se firma' }).int().min(1),
});

/**
 * Activity 6, second half: a judge of the order's centre signs and seals (`signature` →
 * `validated`). The signature keeps the judge's snapshot, the time, and the SHA-256 digest
 * of the order summary as it stood when signed; the version guard of the write ensures the
 * summary digested is exactly the one the judge was shown: the version is required, and a
 * signature on an order that moved since is refused (CONFLICT). The judge's snapshot carries
 * their AAD object id when the directory knows it.
 */
export async function signOrder(deps: TransitionDeps, input: TransitionInput): Promise<ServiceOrder> {
  const request = parseInput(SignInput, input);
  return applyTransition(deps, 'sign', request, {}, ({ order, by, now }) => ({
    signature: { judge: by, at: now, digest: orderDigest(order) },
  }));
}
