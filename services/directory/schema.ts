import { z } from 'zod';
import { ROLES } from '../workflow';
import { EQUIPMENT_TYPES, PRIORITIES } from '../orders/types';

/**
 * Shapes of the directory: people, centres, providers and contracts. Every object is strict
 * (an unknown key is an error, so a typo in a file never silently drops data) and every
 * string is bounded. Emails are stored lower-cased so lookups are case-insensitive.
 */

/** Directory ids: short, no spaces, no `$` or `.` at the start, so they are safe as values anywhere. */
export const directoryId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'identificador inválido (letras, números, punto, - y _; máximo 64)');

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email('correo electrónico inválido').max(254));

const text = (max: number) => z.string().trim().min(1, 'no puede estar vacío').max(max);

export const PersonSchema = z.strictObject({
  id: directoryId,
  name: text(200),
  email: emailSchema,
  /** Teams (Entra ID) object id, when known; a GUID. */
  aadObjectId: z.guid('aadObjectId debe ser un GUID').toLowerCase().optional(),
  roles: z.array(z.enum(ROLES)).min(1, 'debe tener al menos un rol'),
  /** Centres the person belongs to (requester, judge) or serves (engineer). */
  centreIds: z.array(directoryId).default([]),
  /** For provider contacts: the provider company they speak for. */
  providerId: directoryId.optional(),
  extension: z
    .string()
    .trim()
    .regex(/^[0-9]{1,10}$/, 'extensión inválida')
    .optional(),
  /** For analysts: on the duty roster. With ANALYST_ROUTING=roster only they hear of new work. */
  onDuty: z.boolean().optional(),
});
export type Person = z.infer<typeof PersonSchema>;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('es-MX', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'hora inválida (HH:MM)');
const Interval = z
  .strictObject({ start: hhmm, end: hhmm })
  .refine((i) => i.start < i.end, { message: 'la hora de inicio debe ser anterior a la de fin' });

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CentreSchema = z.strictObject({
  id: directoryId,
  name: text(200),
  state: text(100),
  /** Street address, for whoever comes on site (a provider has no other way to learn it). */
  address: text(300).optional(),
  timeZone: z.string().refine(isValidTimeZone, 'zona horaria IANA desconocida'),
  /** Opening hours per weekday; a weekday left out is not a working day. */
  businessHours: z
    .partialRecord(z.enum(WEEKDAYS), Interval)
    .refine((h) => Object.keys(h).length > 0, 'debe haber al menos un día hábil'),
  nonWorkingDays: z.array(z.iso.date('fecha inválida (AAAA-MM-DD)')).default([]),
});
export type Centre = z.infer<typeof CentreSchema>;

export const ProviderSchema = z.strictObject({
  id: directoryId,
  company: text(200),
  contactEmails: z.array(emailSchema).min(1, 'debe tener al menos un correo de contacto'),
});
export type Provider = z.infer<typeof ProviderSchema>;

const hours = z
  .number()
  .positive('debe ser mayor que cero')
  .max(24 * 365);
const perPriority = z.strictObject(
  Object.fromEntries(PRIORITIES.map((p) => [p, hours])) as Record<(typeof PRIORITIES)[number], typeof hours>,
);

export const ContractSchema = z
  .strictObject({
    id: directoryId,
    number: text(100),
    providerId: directoryId,
    centreIds: z.array(directoryId).min(1, 'debe cubrir al menos un centro'),
    equipmentTypes: z.array(z.enum(EQUIPMENT_TYPES)).min(1, 'debe cubrir al menos un tipo de equipo'),
    attentionHours: perPriority,
    resolutionHours: perPriority,
    hours: z.enum(['business', 'calendar']),
  })
  .superRefine((c, ctx) => {
    for (const p of PRIORITIES) {
      if (c.resolutionHours[p] < c.attentionHours[p]) {
        ctx.addIssue({
          code: 'custom',
          path: ['resolutionHours', p],
          message: 'no puede ser menor que el tiempo de atención',
        });
      }
    }
  });
export type Contract = z.infer<typeof ContractSchema>;

const deskHours = {
  /** Report → taken by an analyst (or turned straight to an engineer). */
  responseHours: perPriority,
  /** Engineer assigned → engineer accepts and contacts the requester. */
  onsiteAttentionHours: perPriority,
  /** Report → resolved (or closed remotely), less the time waiting for the requester and the judge. */
  resolutionHours: perPriority,
};

function orderedByPriority(
  value: Partial<Record<keyof typeof deskHours, Record<(typeof PRIORITIES)[number], number>>>,
  ctx: z.core.$RefinementCtx,
): void {
  for (const [clock, hoursOf] of Object.entries(value)) {
    if (!hoursOf) continue;
    PRIORITIES.slice(1).forEach((p, i) => {
      const more = PRIORITIES[i]!;
      if (hoursOf[p] < hoursOf[more])
        ctx.addIssue({ code: 'custom', path: [clock, p], message: `no puede ser menor que el de prioridad ${more}` });
    });
  }
}

/**
 * The Service Desk's own service levels, in business hours of the order's centre, per
 * priority: the desk-wide targets, and for a centre whose commitments differ, the clocks
 * it overrides. A more urgent priority never gets more time than a less urgent one.
 */
export const ServiceLevelsSchema = z.strictObject({
  desk: z.strictObject(deskHours).superRefine(orderedByPriority),
  centres: z
    .array(
      z
        .strictObject({
          centreId: directoryId,
          responseHours: perPriority.optional(),
          onsiteAttentionHours: perPriority.optional(),
          resolutionHours: perPriority.optional(),
        })
        .superRefine(({ centreId: _centreId, ...clocks }, ctx) => orderedByPriority(clocks, ctx)),
    )
    .default([]),
});
export type ServiceLevels = z.infer<typeof ServiceLevelsSchema>;

/** A directory file as read (JSON). People may also come from a CSV alongside. */
export const DirectoryFileSchema = z.strictObject({
  serviceLevels: z.unknown().optional(),
  centres: z.array(z.unknown()).default([]),
  providers: z.array(z.unknown()).default([]),
  contracts: z.array(z.unknown()).default([]),
  people: z.array(z.unknown()).default([]),
});

/** A whole, validated directory: what the store replaces at once. */
export interface Directory {
  /** Absent: the desk has no targets of its own, and its clocks are not measured. */
  serviceLevels?: ServiceLevels;
  centres: Centre[];
  providers: Provider[];
  contracts: Contract[];
  people: Person[];
}
