import { z } from 'zod';
import { queuedOnInsert } from '../notifications/notices';
import { ObjectId } from 'mongodb';
import { AppError } from '../errors';
import type { Role } from '../workflow';
import type { DirectoryReader } from '../directory/directory-store';
import { directoryId, emailSchema } from '../directory/schema';
import { analystsToNotify, AnalystRouting } from '../notifications/analyst-routing';
import { routeNotices } from '../notifications/routing';
import type { OrderStore, UnnumberedOrder } from './order-store';
import { EQUIPMENT_TYPES, PersonSnapshot, ServiceOrder } from './types';
import { compact, parseInput, snapshotOf } from './inputs';
import { intakeFacts, IntakeFactsDeps, PriorityHints } from './intake-facts';
import { callerContact } from './phone-report';
import { folioSchema } from './get-order';

const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

const Input = z
  .strictObject({
    channel: z.enum(['teams', 'email', 'phone']),
    /**
     * The report's idempotency key, minted by the edge when the report starts (a Teams draft,
     * a mail's duplicate key): every repeat of the same report — concurrent, retried, or sent
     * again after a crash — gets the order this id names instead of a second one.
     */
    orderId: z
      .string()
      .regex(/^[0-9a-f]{24}$/)
      .optional(),
    /** Directory id of whoever reports: the requester, or the analyst taking a phone call. */
    actorId: directoryId.optional(),
    requesterId: directoryId.optional(),
    /**
     * A requester not found in the directory: kept as given and flagged unverified. The
     * email is how they hear of the order; only a phone caller may leave none (the desk
     * then reaches them by the phone or extension on `contact`).
     */
    unknownRequester: z
      .strictObject({ name: z.string().trim().min(3).max(200), email: emailSchema.optional() })
      .optional(),
    centreId: directoryId.optional(),
    equipment: z.strictObject({
      type: z.enum(EQUIPMENT_TYPES),
      inventoryNumber: optionalText(50),
      location: optionalText(200),
    }),
    description: z.string().trim().min(3, 'describa la falla (mínimo 3 caracteres)').max(5000),
    /** The folio of the requester's earlier order this report follows (a failure that came back too late to reopen it). */
    relatedTo: folioSchema.optional(),
    ...PriorityHints,
    contact: z
      .strictObject({
        extension: z
          .string()
          .regex(/^[0-9]{1,10}$/)
          .optional(),
        phone: z
          .string()
          .regex(/^[0-9 +()-]{7,20}$/)
          .optional(),
      })
      .optional(),
    attachments: z
      .array(
        z.strictObject({
          fileId: optionalText(100),
          filename: z.string().trim().min(1).max(255),
          contentType: z.string().max(100),
          size: z.number().int().min(0),
        }),
      )
      .max(20)
      .default([]),
  })
  .refine((i) => (i.requesterId === undefined) !== (i.unknownRequester === undefined), {
    message: 'indique requesterId o unknownRequester (solo uno)',
    path: ['requesterId'],
  })
  .refine((i) => i.channel === 'phone' || !i.unknownRequester || i.unknownRequester.email !== undefined, {
    message: 'indique el correo de quien reporta',
    path: ['unknownRequester', 'email'],
  });
export type ReportOrderInput = z.input<typeof Input>;

export interface ReportOrderDeps extends Omit<IntakeFactsDeps, 'directory'> {
  /** `findByFolio` checks the earlier order a related report names. */
  orders: Pick<OrderStore, 'create'> & Partial<Pick<OrderStore, 'findByFolio'>>;
  directory: Pick<DirectoryReader, 'personById' | 'centre' | 'analysts'> & IntakeFactsDeps['directory'];
  now?: () => Date;
  /** Zone whose calendar year numbers the folio (TZ_DEFAULT). */
  timeZone: string;
  /** Which analysts hear of the new order; every analyst when absent. */
  analystRouting?: AnalystRouting;
}

const invalid = (field: string, log: string, user: string) =>
  new AppError('VALIDATION', log, `${field}: ${user}`, { field });

interface Parties {
  requester: PersonSnapshot;
  reporter: PersonSnapshot;
  role: Role;
  centreId: string;
}

async function knownRequester(
  deps: ReportOrderDeps,
  requesterId: string,
  centreId: string | undefined,
): Promise<Omit<Parties, 'reporter' | 'role'>> {
  const person = await deps.directory.personById(requesterId);
  if (!person)
    throw invalid('requesterId', `requester ${requesterId} not found`, `«${requesterId}» no está en el directorio.`);
  const centre = centreId ?? (person.centreIds.length === 1 ? person.centreIds[0] : undefined);
  if (!centre) throw invalid('centreId', 'centre required', 'indique el centro donde está el equipo.');
  if (!person.centreIds.includes(centre))
    throw invalid('centreId', `${requesterId} not in ${centre}`, `${person.name} no pertenece a ese centro.`);
  return { requester: snapshotOf(person), centreId: centre };
}

/** Who reports and for whom: a phone report needs an analyst; otherwise the requester reports for themself. */
async function resolveParties(deps: ReportOrderDeps, input: z.infer<typeof Input>): Promise<Parties> {
  let base: Omit<Parties, 'reporter' | 'role'>;
  if (input.requesterId) {
    base = await knownRequester(deps, input.requesterId, input.centreId);
  } else {
    if (!input.centreId) throw invalid('centreId', 'centre required', 'indique el centro donde está el equipo.');
    if (!(await deps.directory.centre(input.centreId)))
      throw invalid('centreId', `centre ${input.centreId} not found`, `el centro «${input.centreId}» no existe.`);
    base = { requester: compact({ ...input.unknownRequester!, unverified: true as const }), centreId: input.centreId };
  }
  if (input.channel !== 'phone') {
    if (input.actorId && input.actorId !== input.requesterId) {
      throw new AppError(
        'FORBIDDEN',
        `actor ${input.actorId} reports for another person`,
        'Solo la Mesa de Servicio puede reportar a nombre de otra persona.',
      );
    }
    return { ...base, reporter: base.requester, role: 'requester' };
  }
  const analyst = input.actorId ? await deps.directory.personById(input.actorId) : null;
  if (!analyst || !analyst.roles.includes('analyst')) {
    throw new AppError(
      'FORBIDDEN',
      `phone report by non-analyst ${input.actorId}`,
      'Solo un analista de la Mesa de Servicio puede registrar un reporte telefónico.',
    );
  }
  return { ...base, reporter: snapshotOf(analyst), role: 'analyst' };
}

/**
 * A related report names an earlier order of the same requester; any other folio is refused
 * with the words an unknown folio gets, so folios cannot be probed this way.
 */
async function checkRelated(deps: ReportOrderDeps, folio: string, requester: PersonSnapshot): Promise<void> {
  const earlier = deps.orders.findByFolio ? await deps.orders.findByFolio(folio) : null;
  if (!earlier || !samePerson(earlier.requester, requester))
    throw invalid('relatedTo', `related order ${folio} absent or of another requester`, `no existe la orden ${folio}.`);
}

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using one. */
const yearFormats = new Map<string, Intl.DateTimeFormat>();

function yearIn(date: Date, timeZone: string): number {
  let format = yearFormats.get(timeZone);
  if (!format) yearFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' })));
  return Number(format.format(date));
}

/** The same person on both sides, by directory id or, for someone not in it, by email. */
function samePerson(a: PersonSnapshot, b: PersonSnapshot): boolean {
  return a.personId !== undefined || b.personId !== undefined
    ? a.personId === b.personId
    : a.email?.toLowerCase() === b.email?.toLowerCase();
}

/**
 * Activity 1: creates a service order in `reported`, numbered with the next folio in the
 * same atomic step, the requester as a snapshot (or, for someone not in the directory, as
 * given and flagged `unverified`), the history's first entry, and — in the same insert —
 * the notices owed: the requester gets the folio, the analysts hear of a new order (never
 * the reporter). A repeat of a report (same `orderId`) returns the order already made.
 */
export async function reportOrder(deps: ReportOrderDeps, raw: ReportOrderInput): Promise<ServiceOrder> {
  const input = parseInput(Input, raw);
  const parties = await resolveParties(deps, input);
  if (input.relatedTo) await checkRelated(deps, input.relatedTo, parties.requester);
  const now = (deps.now ?? (() => new Date()))();
  const contact = await callerContact(deps, input);
  const facts = await intakeFacts(
    deps,
    { ...input, equipment: compact(input.equipment), centreId: parties.centreId },
    now,
  );
  const order: UnnumberedOrder = {
    _id: input.orderId ? ObjectId.createFromHexString(input.orderId) : new ObjectId(),
    status: 'reported',
    version: 1,
    requester: parties.requester,
    centreId: parties.centreId,
    channel: input.channel,
    ...facts,
    description: input.description,
    attachments: input.attachments.map((a) => compact(a)),
    timestamps: { reportedAt: now },
    history: [
      { at: now, action: 'report', by: parties.reporter, role: parties.role, channel: input.channel, to: 'reported' },
    ],
    outbox: [],
    createdAt: now,
    updatedAt: now,
  };
  if (contact) order.contact = contact;
  if (input.relatedTo) order.relatedTo = input.relatedTo;
  const audience = {
    analysts: await analystsToNotify(deps.directory, deps.analystRouting ?? 'all'),
    judges: [],
    providerEmails: [],
  };
  Object.assign(
    order,
    queuedOnInsert(
      routeNotices(
        { action: 'report', to: 'reported' },
        order,
        { personId: parties.reporter.personId, email: parties.reporter.email },
        audience,
        now,
      ),
    ),
  );
  const { order: stored, created } = await deps.orders.create(order, yearIn(now, deps.timeZone));
  if (!created && !samePerson(stored.requester, order.requester)) {
    throw new AppError(
      'CONFLICT',
      `order ${stored._id.toHexString()} exists for another requester`,
      'Ese reporte ya existe a nombre de otra persona.',
    );
  }
  return stored;
}
