import { ObjectId } from 'mongodb';
import { z } from 'zod';
import type { Logger } from '../services/logger';
import { AppError } from '../services/errors';
import type { DirectoryReader } from '../services/directory/directory-store';
import type { Person } from '../services/directory/schema';
import { acceptOrder } from '../services/orders/accept-order';
import { assignEngineer } from '../services/orders/assign-engineer';
import { cancelOrder } from '../services/orders/cancel-order';
import { closeOrder } from '../services/orders/close-order';
import { closeRemotely } from '../services/orders/close-remotely';
import { confirmValidation } from '../services/orders/confirm-validation';
import { documentAttention } from '../services/orders/document-attention';
import type { OrderStore } from '../services/orders/order-store';
import type { OrderServices } from '../services/orders/order-services';
import { reassignEngineer } from '../services/orders/reassign-engineer';
import { recordProviderAttention } from '../services/orders/record-provider-attention';
import { refuseSignature } from '../services/orders/refuse-signature';
import { rejectValidation } from '../services/orders/reject-validation';
import { resolveOnsite } from '../services/orders/resolve-onsite';
import { signOrder } from '../services/orders/sign-order';
import { takeOrder } from '../services/orders/take-order';
import { turnToProvider } from '../services/orders/turn-to-provider';
import type { TransitionInput } from '../services/orders/inputs';
import { EQUIPMENT_TYPES, PRIORITIES, type ServiceOrder } from '../services/orders/types';
import { LEVELS } from '../services/priority/matrix';
import { Action, ACTIONS, FIELD_LABELS, RequiredField, ruleFor } from '../services/workflow';
import { errorCardJson, orderCardJson } from './order-cards';
import { changeNotice } from './live-cards';
import { REPLIES } from './replies';
import { setPriority } from '../services/orders/set-priority';
import { correctFacts } from '../services/orders/correct-facts';
import { reopenOrder } from '../services/orders/reopen-order';
import { messageRequester } from '../services/orders/message-requester';
import { addInternalNote } from '../services/orders/add-internal-note';

const field = (max: number) => z.string().max(max).optional();

/** A card input left empty comes as "" (or not at all): both mean "not given". */
const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.enum(values).optional());

/**
 * What an Action.Execute may carry: the three ids the card was drawn with, plus the values
 * of the card's own inputs. Anything else is dropped; a missing or malformed id refuses
 * the whole action before anything is read.
 */
export const CardActionPayload = z.object({
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
export type CardActionPayload = z.infer<typeof CardActionPayload>;

/** A text input left blank is a fact not being corrected. */
const filled = (value: string | undefined) => (value?.trim() ? value : undefined);

/** Reads the invoke's `action.data`; a bad payload is a VALIDATION error with the Spanish reason. */
export function parseCardAction(value: unknown): CardActionPayload {
  const data = (value as { action?: { data?: unknown } } | undefined)?.action?.data;
  const parsed = CardActionPayload.safeParse(data);
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION',
      `invalid card action: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      REPLIES.card.badPayload,
    );
  }
  return parsed.data;
}

export type CardActionDeps = Pick<OrderServices, 'policy' | 'analystRouting' | 'now' | 'timeZone'> & {
  orders: Pick<OrderStore, 'findById' | 'applyChange'>;
  directory: Pick<
    DirectoryReader,
    'personById' | 'analysts' | 'judgesOfCentre' | 'provider' | 'contractById' | 'centre' | 'contractsFor'
  >;
};

/** A required input is given when filled in; a priority may also come as impact × urgency. */
function given(p: CardActionPayload, field: RequiredField): boolean {
  if (field === 'priority') return Boolean(p.priority ?? (p.impact && p.urgency));
  const value = p[field];
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * Runs the use case a card verb stands for, as `actor`, from Teams (or from Mesa, which
 * names its own channel). The card's version is
 * the expected version: a card drawn before the order moved is refused (CONFLICT). The
 * switch is exhaustive: a new workflow action does not compile until it is handled here.
 */
export async function runCardAction(
  deps: CardActionDeps,
  actor: Person,
  p: CardActionPayload,
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
      throw new AppError('VALIDATION', `unhandled verb ${String(unhandled)}`, REPLIES.card.badPayload);
    }
  }
}

/**
 * Answers an Action.Execute: the refreshed card after the action (and `changed` is told,
 * so other cards of the order follow), or the card with the Spanish reason it was refused
 * (a bad payload, a sender not in the directory, or the use case's own refusal, shown on
 * the order as it is now; a stale card says what changed instead of a bare conflict).
 */
export async function answerCardAction(
  services: OrderServices,
  value: unknown,
  person: Person | null,
  log: Logger,
  changed?: (order: ServiceOrder) => Promise<void>,
): Promise<Record<string, unknown>> {
  let payload: CardActionPayload;
  try {
    payload = parseCardAction(value);
  } catch (error) {
    log.warn({ err: error }, 'card action refused: bad payload');
    return errorCardJson(AppError.is(error) ? error.userMessage : REPLIES.card.badPayload);
  }
  if (!person) {
    log.warn({ orderId: payload.orderId }, 'card action refused: sender not in directory');
    return errorCardJson(REPLIES.card.unknownPerson);
  }
  const { directory, timeZone } = services;
  try {
    const order = await runCardAction(services, person, payload);
    log.info(
      { orderId: payload.orderId, verb: payload.verb, personId: person.id, status: order.status },
      'card action done',
    );
    await changed?.(order);
    return orderCardJson(
      order,
      person,
      directory,
      timeZone,
      { text: REPLIES.card.done(ruleFor(payload.verb).label), tone: 'info' },
      services.fileLink,
    );
  } catch (error) {
    if (!AppError.is(error)) throw error;
    log.warn({ err: error, code: error.code, orderId: payload.orderId, verb: payload.verb }, 'card action refused');
    const current = await services.orders.findById(ObjectId.createFromHexString(payload.orderId));
    if (!current) return errorCardJson(error.userMessage);
    // A card drawn before the order moved: it is redrawn as the order is now, saying what changed.
    const text = error.code === 'CONFLICT' ? `${changeNotice(current)} ${REPLIES.card.checkAgain}` : error.userMessage;
    return orderCardJson(current, person, directory, timeZone, { text, tone: 'error' }, services.fileLink);
  }
}
