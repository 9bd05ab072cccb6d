import { z } from 'zod';
import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import { LEVELS, priorityOf } from '../priority/matrix';
import { calendarForCentre, deadlineIn } from '../sla/calendar';
import { PRIORITIES, PRIORITY_LABELS, ServiceOrder } from './types';
import { applyTransition, PatchResult, TransitionDeps } from './apply-transition';
import { parseInput, reasonSchema, TransitionInput } from './inputs';

const Input = TransitionInput.extend({
  /** The priority outright, or impact and urgency for the matrix to give it. */
  priority: z.enum(PRIORITIES, 'prioridad desconocida (critical, high, medium o low)').optional(),
  impact: z.enum(LEVELS, 'impacto desconocido (high, medium o low)').optional(),
  urgency: z.enum(LEVELS, 'urgencia desconocida (high, medium o low)').optional(),
  /** Optional here so that its absence is refused by the workflow, in the same words as any other action's. */
  reason: reasonSchema.optional(),
});

export type PriorityDeps = TransitionDeps & {
  /** The centre's calendar and the contract, to re-plan the provider's deadlines. */
  directory: TransitionDeps['directory'] & Partial<Pick<DirectoryReader, 'centre' | 'contractById'>>;
};

const H = 3600_000;

/**
 * An analyst sets or changes the order's priority, with a reason, in any open state (the
 * state does not move). The priority is given outright or as impact × urgency. It is on
 * the history with the old and new values. Re-planning: the desk clocks read the priority
 * whenever they are measured, so they follow at once; the thresholds already announced are
 * forgotten so the SLA monitor announces them against the new targets; and an order
 * already with a provider gets the contract deadlines for the new priority, counted from
 * the hand-off. Setting the priority it already has is refused: it would record nothing.
 */
export async function setPriority(deps: PriorityDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  if (request.priority === undefined && (request.impact === undefined) !== (request.urgency === undefined)) {
    throw new AppError(
      'VALIDATION',
      'impact without urgency or the reverse',
      'priority: indique el impacto y la urgencia juntos, o la prioridad.',
      { field: 'priority' },
    );
  }
  const priority =
    request.priority ?? (request.impact && request.urgency ? priorityOf(request.impact, request.urgency) : undefined);
  return applyTransition(deps, 'set_priority', request, { priority, reason: request.reason }, async ({ order }) => {
    if (priority === order.priority) {
      throw new AppError(
        'VALIDATION',
        `order already ${priority}`,
        `priority: la orden ya tiene prioridad ${PRIORITY_LABELS[priority]}.`,
        { field: 'priority' },
      );
    }
    const next = priority!;
    const patch: PatchResult = {
      priority: next,
      priorityBasis: {
        source: 'analyst',
        ...(request.impact && request.urgency && !request.priority
          ? { impact: request.impact, urgency: request.urgency }
          : {}),
      },
      slaMarks: [],
      changes: [{ field: 'priority', from: PRIORITY_LABELS[order.priority], to: PRIORITY_LABELS[next] }],
    };
    const provider = await replannedProvider(deps, order, next);
    if (provider) patch.provider = provider;
    return patch;
  });
}

async function replannedProvider(
  deps: PriorityDeps,
  order: ServiceOrder,
  priority: ServiceOrder['priority'],
): Promise<ServiceOrder['provider'] | undefined> {
  const handOff = order.timestamps.providerAt;
  if (!order.provider?.deadlines || !handOff || !deps.directory.contractById || !deps.directory.centre)
    return undefined;
  const [contract, centre] = await Promise.all([
    deps.directory.contractById(order.provider.contractId),
    deps.directory.centre(order.centreId),
  ]);
  if (!contract || !centre) return undefined;
  const calendar = calendarForCentre(centre);
  return {
    ...order.provider,
    deadlines: {
      attendBy: deadlineIn(contract.hours, handOff, contract.attentionHours[priority] * H, calendar),
      resolveBy: deadlineIn(contract.hours, handOff, contract.resolutionHours[priority] * H, calendar),
      zone: calendar.zone,
    },
  };
}
