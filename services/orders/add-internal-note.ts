import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';
import { messageSchema } from './message-requester';

const Input = TransitionInput.extend({ message: messageSchema });

/**
 * An analyst, or the engineer the order is turned to, records a note for staff only. It is
 * on the history like any step, tells no one, and is left out of everything the requester
 * reads (see `historyFor` in order-visibility.ts and the notice catalogue). Who may write
 * it, and from which states, is the workflow table's `add_note` row.
 */
export async function addInternalNote(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'add_note', request, { message: request.message });
}
