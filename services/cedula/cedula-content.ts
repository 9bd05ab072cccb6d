import { DateTime } from 'luxon';
import type { Centre, Contract } from '../directory/schema';
import { EQUIPMENT_LABELS, PRIORITY_LABELS, ServiceOrder } from '../orders/types';
import { CLOCK_LABELS, CLOCK_STATE_LABELS, OrderClocks } from '../sla/clocks';
import { ROLE_LABELS, ruleFor, isAction, STATUS_LABELS } from '../workflow';

/**
 * Everything the Cédula says, as plain Spanish strings: the PDF draws exactly this, and its
 * canonical JSON is what the verification code signs. Times are already written in the
 * centre's zone, so the document reads the same wherever it is opened.
 */
export interface CedulaContent {
  version: 1;
  orderId: string;
  folio: string;
  issuedAt: string;
  timeZone: string;
  centre: { id: string; name: string; state: string };
  requester: { name: string; email: string };
  equipment: { type: string; inventoryNumber: string; location: string };
  priority: string;
  failure: string;
  activities: { at: string; activity: string; actor: string; role: string; note: string }[];
  clocks: { name: string; basis: string; target: string; actual: string; waiting: string; result: string }[];
  requesterWait: string;
  provider: { company: string; contract: string; basis: string } | null;
  resolution: { text: string; by: string; at: string } | null;
  validation: { by: string; at: string; channel: string } | null;
  signature: { judge: string; at: string; digest: string } | null;
  closure: { by: string; at: string; status: string };
}

export interface CedulaFacts {
  order: ServiceOrder;
  centre: Pick<Centre, 'id' | 'name' | 'state' | 'timeZone'>;
  contract?: Pick<Contract, 'number' | 'hours'> | null;
  clocks: OrderClocks;
  issuedAt: Date;
}

const CHANNEL_LABELS: Record<string, string> = {
  teams: 'Microsoft Teams',
  email: 'Correo electrónico',
  phone: 'Teléfono',
  api: 'Sistema',
  system: 'Sistema',
};
const BASIS_LABELS = { business: 'Horas hábiles', calendar: 'Horas naturales' } as const;

/** `2 h 05 min`: durations in hours and minutes, rounded down to the minute. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}

function activityLabel(action: string): string {
  if (action === 'report') return 'Reporte de la falla';
  if (action === 'comment') return 'Comentario';
  return isAction(action) ? ruleFor(action).label : action;
}

/** The content of the Cédula of a closed order. Pure. */
export function buildCedulaContent(f: CedulaFacts): CedulaContent {
  const { order } = f;
  const zone = f.centre.timeZone;
  const local = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat('dd/LL/yyyy HH:mm');
  const closing = [...order.history].reverse().find((h) => h.to === 'closed' || h.to === 'cancelled');
  return {
    version: 1,
    orderId: order._id.toHexString(),
    folio: order.folio,
    issuedAt: f.issuedAt.toISOString(),
    timeZone: zone,
    centre: { id: f.centre.id, name: f.centre.name, state: f.centre.state },
    requester: { name: order.requester.name, email: order.requester.email ?? '' },
    equipment: {
      type: EQUIPMENT_LABELS[order.equipment.type],
      inventoryNumber: order.equipment.inventoryNumber ?? '',
      location: order.equipment.location ?? '',
    },
    priority: PRIORITY_LABELS[order.priority],
    failure: order.description,
    activities: order.history
      .filter((h) => h.action !== 'notification')
      .map((h) => ({
        at: local(h.at),
        activity: activityLabel(h.action),
        actor: h.by.name,
        role: h.role ? ROLE_LABELS[h.role] : '',
        note: h.note ?? '',
      })),
    clocks: f.clocks.clocks.map((c) => ({
      name: CLOCK_LABELS[c.name],
      basis: BASIS_LABELS[c.basis],
      target: formatDuration(c.targetMs),
      actual: formatDuration(c.elapsedMs),
      waiting: formatDuration(c.pausedMs),
      result: CLOCK_STATE_LABELS[c.state],
    })),
    requesterWait: formatDuration(f.clocks.requesterWaitMs),
    provider: order.provider
      ? {
          company: order.provider.name,
          contract: f.contract?.number ?? order.provider.contractId,
          basis: f.contract ? BASIS_LABELS[f.contract.hours] : '',
        }
      : null,
    resolution: order.resolution
      ? {
          text: order.resolution.documentation ?? order.resolution.solution ?? '',
          by: order.resolution.by.name,
          at: local(order.resolution.at),
        }
      : null,
    validation: order.validation
      ? {
          by: order.validation.confirmedBy.name,
          at: local(order.validation.at),
          channel: CHANNEL_LABELS[order.validation.channel] ?? order.validation.channel,
        }
      : null,
    signature: order.signature
      ? { judge: order.signature.judge.name, at: local(order.signature.at), digest: order.signature.digest }
      : null,
    closure: { by: closing?.by.name ?? '', at: closing ? local(closing.at) : '', status: STATUS_LABELS[order.status] },
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Sorted-key JSON: the same content always gives the same text, hence the same code. */
export function canonicalContent(content: CedulaContent): string {
  return JSON.stringify(sortKeys(content));
}
