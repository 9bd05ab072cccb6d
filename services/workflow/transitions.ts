import { AppError } from '../errors';
import { OPEN_STATUSES, OrderStatus, Role, STATUS_LABELS } from './states';

/** Every action a person can take on an order (PROCESS.md, "States and transitions"). */
export const ACTIONS = [
  'take',
  'close_remotely',
  'assign_engineer',
  'reassign',
  'accept',
  'resolve_onsite',
  'turn_to_provider',
  'record_provider_attention',
  'confirm',
  'reject',
  'sign',
  'refuse_signature',
  'document',
  'close',
  'cancel',
  'set_priority',
  'correct_facts',
  'reopen',
  'message_requester',
  'add_note',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * How an actor with a role must relate to the order to act:
 * - `any`: holding the role is enough (the desk is central and serves every centre);
 * - `requester`: the order's own requester;
 * - `assigned_engineer`: the engineer the order is turned to;
 * - `order_provider`: a contact of the provider the order is turned to;
 * - `centre_judge`: a judge of the order's centre.
 */
export type Ownership = 'any' | 'requester' | 'assigned_engineer' | 'order_provider' | 'centre_judge';

/** Input fields an action cannot do without. */
export type RequiredField =
  'solution' | 'documentation' | 'engineerId' | 'contractId' | 'reason' | 'priority' | 'message';

/**
 * The destination of an action that records something on the order without moving it
 * (priority, corrections): the order stays in whatever open state it is in.
 */
export const SAME_STATE = 'same' as const;

export interface TransitionRule {
  readonly action: Action;
  readonly from: readonly OrderStatus[];
  readonly to: OrderStatus | typeof SAME_STATE;
  /** Where the action leads instead when the order was never turned to a provider. */
  readonly toWithoutProvider?: OrderStatus;
  /** Role → the ownership it needs. A role absent here may not take the action. */
  readonly allowed: Readonly<Partial<Record<Role, Ownership>>>;
  readonly requires: readonly RequiredField[];
  /** The activity of the seed this transition completes or starts (1–8). */
  readonly activity: number;
  readonly label: string;
}

/** The contract: one row per transition of PROCESS.md (plus reassignment of the engineer). */
export const TRANSITIONS: readonly TransitionRule[] = [
  {
    action: 'take',
    from: ['reported'],
    to: 'desk',
    allowed: { analyst: 'any' },
    requires: [],
    activity: 2,
    label: 'Tomar la orden',
  },
  {
    action: 'close_remotely',
    from: ['desk'],
    to: 'closed',
    allowed: { analyst: 'any' },
    requires: ['solution'],
    activity: 8,
    label: 'Cerrar con solución remota',
  },
  {
    action: 'assign_engineer',
    from: ['reported', 'desk'],
    to: 'engineer_assigned',
    allowed: { analyst: 'any' },
    requires: ['engineerId'],
    activity: 3,
    label: 'Turnar a ingeniero en sitio',
  },
  {
    action: 'reassign',
    from: ['engineer_assigned', 'diagnosis'],
    to: 'engineer_assigned',
    allowed: { analyst: 'any' },
    requires: ['engineerId', 'reason'],
    activity: 3,
    label: 'Reasignar ingeniero',
  },
  {
    action: 'accept',
    from: ['engineer_assigned'],
    to: 'diagnosis',
    allowed: { engineer: 'assigned_engineer' },
    requires: [],
    activity: 4,
    label: 'Aceptar y diagnosticar',
  },
  {
    action: 'resolve_onsite',
    from: ['diagnosis'],
    to: 'resolved',
    allowed: { engineer: 'assigned_engineer' },
    requires: ['documentation'],
    activity: 7,
    label: 'Documentar solución en sitio',
  },
  {
    action: 'turn_to_provider',
    from: ['diagnosis'],
    to: 'provider',
    allowed: { engineer: 'assigned_engineer' },
    requires: ['contractId'],
    activity: 5,
    label: 'Turnar al proveedor',
  },
  {
    action: 'record_provider_attention',
    from: ['provider'],
    to: 'validation',
    allowed: { engineer: 'assigned_engineer', provider: 'order_provider' },
    requires: [],
    activity: 5,
    label: 'Registrar atención del proveedor',
  },
  {
    action: 'confirm',
    from: ['validation'],
    to: 'signature',
    allowed: { requester: 'requester' },
    requires: [],
    activity: 6,
    label: 'Confirmar que quedó resuelta',
  },
  {
    action: 'reject',
    from: ['validation'],
    to: 'provider',
    toWithoutProvider: 'diagnosis',
    allowed: { requester: 'requester' },
    requires: ['reason'],
    activity: 6,
    label: 'Rechazar la atención',
  },
  {
    action: 'sign',
    from: ['signature'],
    to: 'validated',
    allowed: { judge: 'centre_judge' },
    requires: [],
    activity: 6,
    label: 'Firmar y sellar',
  },
  {
    action: 'refuse_signature',
    from: ['signature'],
    to: 'validation',
    allowed: { judge: 'centre_judge' },
    requires: ['reason'],
    activity: 6,
    label: 'Negar la firma',
  },
  {
    action: 'document',
    from: ['validated'],
    to: 'resolved',
    allowed: { engineer: 'assigned_engineer', provider: 'order_provider' },
    requires: ['documentation'],
    activity: 7,
    label: 'Documentar la atención',
  },
  {
    action: 'close',
    from: ['resolved'],
    to: 'closed',
    allowed: { analyst: 'any' },
    requires: [],
    activity: 8,
    label: 'Cerrar la orden',
  },
  {
    action: 'cancel',
    from: OPEN_STATUSES,
    to: 'cancelled',
    allowed: { analyst: 'any' },
    requires: ['reason'],
    activity: 0,
    label: 'Cancelar la orden',
  },
  {
    action: 'set_priority',
    from: OPEN_STATUSES,
    to: SAME_STATE,
    allowed: { analyst: 'any' },
    requires: ['priority', 'reason'],
    activity: 0,
    label: 'Cambiar la prioridad',
  },
  {
    action: 'correct_facts',
    from: OPEN_STATUSES,
    to: SAME_STATE,
    allowed: { analyst: 'any', engineer: 'assigned_engineer' },
    requires: ['reason'],
    activity: 0,
    label: 'Corregir datos de la orden',
  },
  {
    // A closed order whose failure came back returns to the desk, not to a new folio: the
    // requester says so within the window (services/orders/reopen-window.ts), with why.
    action: 'reopen',
    from: ['closed'],
    to: 'desk',
    allowed: { requester: 'requester' },
    requires: ['reason'],
    activity: 2,
    label: 'Sigue fallando: reabrir la orden',
  },
  {
    action: 'message_requester',
    from: OPEN_STATUSES,
    to: SAME_STATE,
    allowed: { analyst: 'any', engineer: 'assigned_engineer' },
    requires: ['message'],
    activity: 0,
    label: 'Escribir al solicitante',
  },
  {
    action: 'add_note',
    from: OPEN_STATUSES,
    to: SAME_STATE,
    allowed: { analyst: 'any', engineer: 'assigned_engineer' },
    requires: ['message'],
    activity: 0,
    label: 'Agregar nota interna',
  },
];

const RULES = new Map<Action, TransitionRule>(TRANSITIONS.map((r) => [r.action, r]));

/** Policy switches that pick a variant of the transition table (see services/config.ts). */
export interface WorkflowPolicy {
  /**
   * On-site resolutions (4 → 7) also ask the requester to confirm and the judge to sign:
   * `resolve_onsite` leads to `validation`, and from there the order follows activity 6
   * (confirm → signature → sign → validated → document → resolved); a rejection of an
   * order without provider goes back to the engineer's diagnosis. The seed says no.
   */
  readonly onsiteRequiresValidation: boolean;
}

export const SEED_POLICY: WorkflowPolicy = { onsiteRequiresValidation: false };

/**
 * The transition table under a policy. Variants only change destinations, never who may act
 * from which state, so cards and menus (availableActions) read the same table either way.
 */
export function transitionsFor(policy: WorkflowPolicy = SEED_POLICY): readonly TransitionRule[] {
  if (!policy.onsiteRequiresValidation) return TRANSITIONS;
  return TRANSITIONS.map((r) => (r.action === 'resolve_onsite' ? { ...r, to: 'validation' as const } : r));
}

/** Where `rule` leads for this order. */
export function destinationOf(rule: TransitionRule, order: Pick<OrderFacts, 'providerId' | 'status'>): OrderStatus {
  if (rule.to === SAME_STATE) return order.status;
  return order.providerId === undefined && rule.toWithoutProvider ? rule.toWithoutProvider : rule.to;
}

/** What the workflow needs to know about an order to decide. */
export interface OrderFacts {
  status: OrderStatus;
  requesterId?: string;
  centreId: string;
  engineerId?: string;
  providerId?: string;
}

/** What the workflow needs to know about the person acting (from the directory). */
export interface ActorFacts {
  personId: string;
  roles: readonly Role[];
  /** Centres the person belongs to or serves. */
  centreIds: readonly string[];
  /** For provider contacts: the provider company they speak for. */
  providerId?: string;
}

export type ActionInput = Partial<Record<RequiredField, string | undefined>>;

export interface Decision {
  rule: TransitionRule;
  from: OrderStatus;
  to: OrderStatus;
  /** The role under which the actor was allowed. */
  actingAs: Role;
}

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && RULES.has(value as Action);
}

export function ruleFor(action: Action): TransitionRule {
  const rule = RULES.get(action);
  if (!rule) throw new AppError('VALIDATION', `unknown action ${String(action)}`, 'La acción solicitada no existe.');
  return rule;
}

function owns(ownership: Ownership, order: OrderFacts, actor: ActorFacts): boolean {
  switch (ownership) {
    case 'any':
      return true;
    case 'requester':
      return order.requesterId !== undefined && order.requesterId === actor.personId;
    case 'assigned_engineer':
      return order.engineerId !== undefined && order.engineerId === actor.personId;
    case 'order_provider':
      return order.providerId !== undefined && order.providerId === actor.providerId;
    case 'centre_judge':
      return actor.centreIds.includes(order.centreId);
  }
}

/** The roles an actor may use for an action on this order, ignoring the order's state. */
export function allowedRoles(action: Action, order: OrderFacts, actor: ActorFacts): Role[] {
  const rule = ruleFor(action);
  return actor.roles.filter((role) => {
    const ownership = rule.allowed[role];
    return ownership !== undefined && owns(ownership, order, actor);
  });
}

/**
 * Decides whether `actor` may take `action` on `order` now, and where it leads.
 * Checks, in order: the state allows the action (INVALID_TRANSITION), the actor holds a
 * role with the needed relation to the order (FORBIDDEN), the input carries the required
 * fields (VALIDATION). The destination comes from the table under `policy`. Pure: reads
 * nothing, writes nothing.
 */
export function decide(
  order: OrderFacts,
  action: Action,
  actor: ActorFacts,
  input: ActionInput = {},
  policy: WorkflowPolicy = SEED_POLICY,
): Decision {
  const rule = transitionsFor(policy).find((r) => r.action === action) ?? ruleFor(action);
  if (!rule.from.includes(order.status)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `action ${action} not allowed from ${order.status}`,
      `No es posible «${rule.label}»: la orden está «${STATUS_LABELS[order.status]}».`,
      { action, status: order.status },
    );
  }
  const roles = allowedRoles(action, order, actor);
  if (roles.length === 0) {
    throw new AppError(
      'FORBIDDEN',
      `person ${actor.personId} may not ${action} this order`,
      `No tiene permiso para «${rule.label}» en esta orden.`,
      { action, personId: actor.personId },
    );
  }
  const missing = rule.requires.filter((field) => !input[field] || !input[field]!.trim());
  if (missing.length > 0) {
    throw new AppError(
      'VALIDATION',
      `action ${action} requires ${missing.join(', ')}`,
      `Para «${rule.label}» falta: ${missing.map((f) => FIELD_LABELS[f]).join(', ')}.`,
      { action, missing },
    );
  }
  return { rule, from: order.status, to: destinationOf(rule, order), actingAs: roles[0]! };
}

export const FIELD_LABELS: Record<RequiredField, string> = {
  solution: 'la solución aplicada',
  documentation: 'la documentación de la atención',
  engineerId: 'el ingeniero en sitio',
  contractId: 'el contrato del proveedor',
  reason: 'el motivo',
  priority: 'la prioridad',
  message: 'el texto del mensaje',
};

/** Actions the actor could take on the order in its current state (for cards and menus). */
export function availableActions(order: OrderFacts, actor: ActorFacts): Action[] {
  return TRANSITIONS.filter(
    (r) => r.from.includes(order.status) && allowedRoles(r.action, order, actor).length > 0,
  ).map((r) => r.action);
}
