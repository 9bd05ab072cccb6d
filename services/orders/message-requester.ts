import { z } from 'zod';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';

/** What staff write to a person or about an order: a few words up to a long explanation. */
export const messageSchema = z.string().trim().min(2, 'el mensaje es muy corto').max(4000);

const Input = TransitionInput.extend({ message: messageSchema });

/**
 * An analyst, or the engineer the order is turned to, writes to the order's requester
 * without moving the order. The words go on the history (who, when, channel) and the
 * requester is told through the outbox on their own channel (Teams when they have a
 * conversation with the bot, else a mail threaded with the order); their answer comes back
 * as a comment (a Teams follow-up or a mail reply). Who may write, and from which states,
 * is the workflow table's `message_requester` row.
 */
export async function messageRequester(deps: TransitionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'message_requester', request, { message: request.message });
}
