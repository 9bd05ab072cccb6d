import { z } from 'zod';
import type { DirectoryReader } from '../directory/directory-store';
import type { Person } from '../directory/schema';
import { AppError } from '../errors';
import { LEVELS } from '../priority/matrix';
import { Action, ACTIONS, FIELD_LABELS, RequiredField, ruleFor } from '../workflow';
import { acceptOrder } from './accept-order';
import { addInternalNote } from './add-internal-note';
import { assignEngineer } from './assign-engineer';
import { cancelOrder } from './cancel-order';
import { closeOrder } from './close-order';
import { closeRemotely } from './close-remotely';
import { confirmValidation } from './confirm-validation';
import { correctFacts } from './correct-facts';
import { documentAttention } from './document-attention';
import type { TransitionInput } from './inputs';
import { messageRequester } from './message-requester';
import type { OrderServices } from './order-services';
import type { OrderStore } from './order-store';
import { reassignEngineer } from './reassign-engineer';
import { recordProviderAttention } from './record-provider-attention';
import { refuseSignature } from './refuse-signature';
import { rejectValidation } from './reject-validation';
import { reopenOrder } from './reopen-order';
import { resolveOnsite } from './resolve-onsite';
import { setPriority } from './set-priority';
import { signOrder } from './sign-order';
import { takeOrder } from './take-order';
import { turnToProvider } from './turn-to-provider';
import { EQUIPMENT_TYPES, PRIORITIES, type ServiceOrder } from './types';

const field = (max: number) => z.string().max(max).optional();

/** A card input left empty comes as "" (or not at all): both mean "not given". */
const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.enum(values).optional());

/**
 * What an action on an order may carry, from a card's Action.Execute or Mesa's form: the
 * three ids it was drawn with, plus the values of its own inputs. Anything else is dropped; a missing or malformed id refuses
 * the whole action before anything is read.
 */
export const ActionPayload = z.object({
  orderId: z.string().regex(/^[0-9a-f]{24}$/i),
  verb: z.enum(ACTIONS),
  version: z.union([
    z.number().int().min(1).max(1e9),
    z
      .string()
      .regex(/^[0-9]{1,9}$/)
      .transform(Number),
  ]),
  solution: field(5000),
  documentation: field(5000),
  reason: field(2000),
  engineerId: field(64),
  contractId: field(64),
  priority: choice(PRIORITIES),
  impact: choice(LEVELS),
  urgency: choice(LEVELS),
  equipmentType: choice(EQUIPMENT_TYPES),
  location: field(200),
  inventoryNumber: field(50),
  centreId: field(64),
  addendum: field(5000),
  message: field(4000),
});
export type ActionPayload = z.infer<typeof ActionPayload>;

/** A text input left blank is a fact not being corrected. */
const filled = (value: string | undefined) => (value?.trim() ? value : undefined);

export type ActionDeps = Pick<OrderServices, 'policy' | 'analystRouting' | 'now' | 'timeZone'> & {
  orders: Pick<OrderStore, 'findById' | 'applyChange'>;
  directory: Pick<
    DirectoryReader,
    'personById' | 'analysts' | 'judgesOfCentre' | 'provider' | 'contractById' | 'centre' | 'contractsFor'
  >;
};

/** A required input is given when filled in; a priority may also come as impact × urgency. */
function given(p: ActionPayload, field: RequiredField): boolean {
  if (field === 'priority') return Boolean(p.priority ?? (p.impact && p.urgency));
  const value = p[field];
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * Runs the use case an action verb stands for, as `actor`, from a Teams card or from Mesa
 * (which names its own channel). The version the person saw is the expected version: a card
 * or page drawn before the order moved is refused (CONFLICT). The
 * switch is exhaustive: a new workflow action does not compile until it is handled here.
 */
export async function runAction(
  deps: ActionDeps,
  actor: Person,
  p: ActionPayload,
  channel: TransitionInput['channel'] = 'teams',
): Promise<ServiceOrder> {
  const base: TransitionInput = { orderId: p.orderId, actorId: actor.id, channel, expectedVersion: p.version };
  const verb: Action = p.verb;
  // The card's inputs are checked here only to name a missing one in words the person knows;
  // the workflow checks them again with the state and the role.
  const rule = ruleFor(verb);
  const missing = rule.requires.filter((f) => !given(p, f));
  if (missing.length > 0) {
    throw new AppError(
      'VALIDATION',
      `card action ${verb} without ${missing.join(', ')}`,
      `Para «${rule.label}» falta: ${missing.map((f) => FIELD_LABELS[f]).join(', ')}.`,
      { missing },
    );
  }
  switch (verb) {
    case 'take':
      return takeOrder(deps, base);
    case 'close_remotely':
      return closeRemotely(deps, { ...base, solution: p.solution ?? '' });
    case 'assign_engineer':
      return assignEngineer(deps, { ...base, engineerId: p.engineerId ?? '' });
    case 'reassign':
      return reassignEngineer(deps, { ...base, engineerId: p.engineerId ?? '', reason: p.reason ?? '' });
    case 'accept':
      return acceptOrder(deps, base);
    case 'resolve_onsite':
      return resolveOnsite(deps, { ...base, documentation: p.documentation ?? '' });
    case 'turn_to_provider':
      return turnToProvider(deps, { ...base, contractId: p.contractId ?? '' });
    case 'record_provider_attention':
      return recordProviderAttention(deps, base);
    case 'confirm':
      return confirmValidation(deps, base);
    case 'reject':
      return rejectValidation(deps, { ...base, reason: p.reason ?? '' });
    case 'sign':
      return signOrder(deps, base);
    case 'refuse_signature':
      return refuseSignature(deps, { ...base, reason: p.reason ?? '' });
    case 'document':
      return documentAttention(deps, { ...base, documentation: p.documentation ?? '' });
    case 'close':
      return closeOrder(deps, base);
    case 'cancel':
      return cancelOrder(deps, { ...base, reason: p.reason ?? '' });
    case 'set_priority':
      return setPriority(deps, {
        ...base,
        priority: p.priority,
        impact: p.impact,
        urgency: p.urgency,
        reason: p.reason ?? '',
      });
    case 'correct_facts':
      return correctFacts(deps, {
        ...base,
        equipmentType: p.equipmentType,
        location: filled(p.location),
        inventoryNumber: filled(p.inventoryNumber),
        centreId: filled(p.centreId),
        addendum: filled(p.addendum),
        reason: p.reason ?? '',
      });
    case 'reopen':
      return reopenOrder(deps, { ...base, reason: p.reason ?? '' });
    case 'message_requester':
      return messageRequester(deps, { ...base, message: p.message ?? '' });
    case 'add_note':
      return addInternalNote(deps, { ...base, message: p.message ?? '' });
    default: {
      const unhandled: never = verb;
      throw new AppError(
        'VALIDATION',
        `unhandled verb ${String(unhandled)}`,
        'La acción no es válida. Vuelva a consultar la orden.',
      );
    }
  }
}
