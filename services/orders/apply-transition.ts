import { AppError } from '../errors';
import { Action, ActionInput, ActorFacts, Decision, decide, OrderFacts, WorkflowPolicy } from '../workflow';
import type { DirectoryReader } from '../directory/directory-store';
import type { Person } from '../directory/schema';
import { analystsToNotify, AnalystRouting } from '../notifications/analyst-routing';
import { routeNotices, RoutingAudience } from '../notifications/routing';
import type { OrderStore } from './order-store';
import type { SlaSummariser } from './order-services';
import type { FieldChange, HistoryEntry, PersonSnapshot, ServiceOrder } from './types';
import { compact, snapshotOf, SourceFields, toObjectId, TransitionInput } from './inputs';

export type TransitionDirectory = Pick<DirectoryReader, 'personById' | 'analysts' | 'judgesOfCentre' | 'provider'>;

/** What every state-changing use case needs; each adds only the lookups it uses. */
export interface TransitionDeps {
  orders: Pick<OrderStore, 'findById' | 'applyChange'>;
  directory: TransitionDirectory;
  now?: () => Date;
  /** Variant of the transition table; the seed's when absent. */
  policy?: WorkflowPolicy;
  /** Which analysts hear of the change; every analyst when absent. */
  analystRouting?: AnalystRouting;
  /** Measures the SLA summary an order carries once closed or cancelled; without it none is stored. */
  slaSummary?: SlaSummariser;
}

export interface TransitionContext {
  order: ServiceOrder;
  actor: Person;
  by: PersonSnapshot;
  decision: Decision;
  now: Date;
}

/** Top-level order fields a use case adds to the change (engineer, provider, resolution, …). */
export type OrderPatch = Partial<
  Pick<
    ServiceOrder,
    | 'engineer'
    | 'provider'
    | 'resolution'
    | 'validation'
    | 'signature'
    | 'priority'
    | 'priorityBasis'
    | 'equipment'
    | 'centreId'
    | 'coverage'
    | 'addenda'
    | 'repeatFailure'
    | 'slaMarks'
    | 'cedula'
  >
>;

/** What a use case's `patch` returns: fields to set, and for a same-state action what it changed (for the history). */
export type PatchResult = OrderPatch & { changes?: FieldChange[] };

/** First time each action happened; a repeat (rework) keeps the first time. */
const FIRST_TIMESTAMP: Partial<Record<Action, keyof ServiceOrder['timestamps']>> = {
  take: 'takenAt',
  assign_engineer: 'engineerAssignedAt',
  accept: 'acceptedAt',
  turn_to_provider: 'providerAt',
  record_provider_attention: 'providerAttendedAt',
  confirm: 'confirmedAt',
  sign: 'signedAt',
  resolve_onsite: 'resolvedAt',
  document: 'resolvedAt',
  close_remotely: 'closedAt',
  close: 'closedAt',
  cancel: 'cancelledAt',
};

export function orderFacts(order: ServiceOrder): OrderFacts {
  return {
    status: order.status,
    requesterId: order.requester.personId,
    centreId: order.centreId,
    engineerId: order.engineer?.personId,
    providerId: order.provider?.providerId,
  };
}

function actorFacts(person: Person): ActorFacts {
  return { personId: person.id, roles: person.roles, centreIds: person.centreIds, providerId: person.providerId };
}

export const conflictError = (orderId: string) =>
  new AppError(
    'CONFLICT',
    `order ${orderId} changed concurrently`,
    'La orden cambió mientras usted la consultaba; revise su estado actual e intente de nuevo.',
    { orderId },
  );

export const notFoundError = (what: string) =>
  new AppError('NOT_FOUND', `order ${what} not found`, 'No se encontró la orden de servicio.', { order: what });

async function loadAudience(deps: TransitionDeps, order: ServiceOrder): Promise<RoutingAudience> {
  const { directory } = deps;
  const [analysts, judges, provider] = await Promise.all([
    analystsToNotify(directory, deps.analystRouting ?? 'all'),
    directory.judgesOfCentre(order.centreId),
    order.provider ? directory.provider(order.provider.providerId) : Promise.resolve(null),
  ]);
  return { analysts, judges, providerEmails: provider?.contactEmails ?? [] };
}

/**
 * The ONLY way an order changes state. Loads the order, checks the card's expected version
 * (CONFLICT), takes the actor's roles from the directory only (an unknown person is
 * FORBIDDEN), lets the workflow `decide` (INVALID_TRANSITION / FORBIDDEN / VALIDATION), lets
 * the use case add its fields via `patch` (which may refuse), then performs ONE conditional
 * write on `{_id, status, version}` carrying the new status, first-time timestamps, the
 * history entry and the notices owed. If that write matches nothing the order moved on
 * underneath: CONFLICT (or NOT_FOUND if it is gone), and nothing was written. A request
 * from an edge that may retry (`sourceId`, a mail's duplicate key) whose source is already
 * on the history returns the order unchanged; files it brought are named on the entry.
 */
export async function applyTransition(
  deps: TransitionDeps,
  action: Action,
  request: TransitionInput & SourceFields,
  input: ActionInput = {},
  patch?: (ctx: TransitionContext) => PatchResult | Promise<PatchResult>,
): Promise<ServiceOrder> {
  const order = await deps.orders.findById(toObjectId(request.orderId));
  if (!order) throw notFoundError(request.orderId);
  if (request.sourceId && order.history.some((h) => h.sourceId === request.sourceId)) return order;
  if (request.expectedVersion !== undefined && request.expectedVersion !== order.version)
    throw conflictError(request.orderId);
  const actor = await deps.directory.personById(request.actorId);
  if (!actor) {
    throw new AppError(
      'FORBIDDEN',
      `actor ${request.actorId} not in directory`,
      'Usted no está registrado en el directorio de la Mesa de Servicio.',
    );
  }
  const decision = decide(orderFacts(order), action, actorFacts(actor), input, deps.policy);
  const now = (deps.now ?? (() => new Date()))();
  const by = snapshotOf(actor);
  const { changes, ...patched }: PatchResult = patch ? await patch({ order, actor, by, decision, now }) : {};
  const fields: Record<string, unknown> = { ...patched };
  if (decision.actingAs === 'analyst' && !order.analyst) fields.analyst = by;

  const stamp =
    FIRST_TIMESTAMP[action] === 'resolvedAt' && decision.to !== 'resolved' ? undefined : FIRST_TIMESTAMP[action];
  const timestamps = { ...order.timestamps };
  if (stamp && !timestamps[stamp]) timestamps[stamp] = now;
  const set: Record<string, unknown> = { ...fields, status: decision.to, updatedAt: now };
  if (stamp && !order.timestamps[stamp]) set[`timestamps.${stamp}`] = now;

  const after: ServiceOrder = {
    ...order,
    ...fields,
    status: decision.to,
    version: order.version + 1,
    timestamps,
    updatedAt: now,
  };
  const t = { action, from: decision.from, to: decision.to, previousEngineer: order.engineer };
  const notices = routeNotices(
    t,
    after,
    { personId: actor.id, email: actor.email },
    await loadAudience(deps, after),
    now,
  );
  const note = input.reason ?? input.solution ?? input.documentation ?? input.message ?? request.note;
  const history: HistoryEntry = {
    at: now,
    action,
    by,
    role: decision.actingAs,
    channel: request.channel,
    from: decision.from,
    to: decision.to,
  };
  if (note) history.note = note;
  if (changes?.length) history.changes = changes.map((c) => compact(c));
  if (request.sourceId) history.sourceId = request.sourceId;
  if (request.attachments?.length) history.attachments = request.attachments.map((a) => compact(a));

  if (deps.slaSummary) {
    // Stored in the same write as the change it describes, so it never lags the order.
    const summary = await deps.slaSummary({ ...after, history: [...order.history, history] }, now);
    if (summary || order.slaSummary) set.slaSummary = summary;
  }

  const written = await deps.orders.applyChange({
    id: order._id,
    from: decision.from,
    version: order.version,
    set,
    history,
    notices,
  });
  if (written) return written;
  const current = await deps.orders.findById(order._id);
  throw current ? conflictError(request.orderId) : notFoundError(request.orderId);
}

export function actorFactsOf(person: Person): ActorFacts {
  return { personId: person.id, roles: person.roles, centreIds: person.centreIds, providerId: person.providerId };
}
