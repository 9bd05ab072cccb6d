import type { DirectoryReader } from '../directory/directory-store';
import type { Person } from '../directory/schema';
import { actorFactsOf } from '../orders/apply-transition';
import { orderFacts } from '../orders/apply-transition';
import {
  EQUIPMENT_LABELS,
  EQUIPMENT_TYPES,
  PRIORITY_LABELS,
  type HistoryEntry,
  type ServiceOrder,
} from '../orders/types';
import { CLOCK_LABELS, CLOCK_STATE_LABELS, type Clock } from '../sla/clocks';
import type { ClockSource } from '../sla/clock-source';
import { availableActions, FIELD_LABELS, ruleFor, STATUS_LABELS, type Action } from '../workflow';

/** One row of a list in Mesa: what a person needs to pick an order, nothing more. */
export interface OrderRow {
  id: string;
  folio: string;
  version: number;
  status: string;
  statusLabel: string;
  priority: string;
  priorityLabel: string;
  centreId: string;
  requester: string;
  engineer?: string;
  provider?: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  /** The least time left on a running SLA clock (negative: breached); absent without clocks. */
  slaRemainingMs?: number;
}

const HISTORY_LABELS: Record<string, string> = {
  report: 'Reporte',
  comment: 'Comentario',
  notification: 'Aviso',
};

export function orderRow(order: ServiceOrder, slaRemainingMs?: number): OrderRow {
  return {
    id: order._id.toHexString(),
    folio: order.folio,
    version: order.version,
    status: order.status,
    statusLabel: STATUS_LABELS[order.status],
    priority: order.priority,
    priorityLabel: PRIORITY_LABELS[order.priority],
    centreId: order.centreId,
    requester: order.requester.name,
    ...(order.engineer && { engineer: order.engineer.name }),
    ...(order.provider && { provider: order.provider.name }),
    description: order.description.slice(0, 280),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    ...(slaRemainingMs !== undefined && { slaRemainingMs }),
  };
}

const clockView = (c: Clock) => ({
  name: c.name,
  label: CLOCK_LABELS[c.name],
  state: c.state,
  stateLabel: CLOCK_STATE_LABELS[c.state],
  basis: c.basis,
  targetMs: c.targetMs,
  remainingMs: c.remainingMs,
  ...(c.dueAt && { dueAt: c.dueAt.toISOString() }),
});

export const historyView = (h: HistoryEntry) => ({
  at: h.at.toISOString(),
  action: h.action,
  label: h.action in HISTORY_LABELS ? HISTORY_LABELS[h.action]! : ruleFor(h.action as Action).label,
  by: h.by.name,
  channel: h.channel,
  ...(h.from && { from: STATUS_LABELS[h.from] }),
  ...(h.to && { to: STATUS_LABELS[h.to] }),
  ...(h.note && { note: h.note }),
  ...(h.changes?.length && { changes: h.changes }),
});

/** The least remaining time of the running clocks (what "urgency" sorts by). */
export function leastRemaining(clocks: readonly Clock[]): number | undefined {
  const running = clocks.filter((c) => c.state === 'running' || c.state === 'breached' || c.state === 'paused');
  return running.length ? Math.min(...running.map((c) => c.remainingMs)) : undefined;
}

/**
 * Inputs an action takes besides the required ones: a correction names the facts it changes
 * (any of them; the use case refuses one that changes nothing). The same inputs as the card's.
 */
const OPTIONAL_INPUTS: Partial<Record<Action, Array<{ field: string; label: string }>>> = {
  correct_facts: [
    { field: 'equipmentType', label: 'Tipo de equipo' },
    { field: 'inventoryNumber', label: 'Número de inventario' },
    { field: 'location', label: 'Ubicación' },
    { field: 'addendum', label: 'Añadir a la descripción' },
  ],
};

export type ViewDirectory = Pick<DirectoryReader, 'engineersOfCentre' | 'contractsFor' | 'centre'>;

/**
 * An order as Mesa shows it to `viewer`: its facts, timeline, files, SLA clocks and only the
 * actions the workflow lets this person take now, each with the inputs it needs and the
 * choices for them (engineers of the centre, contracts covering the equipment).
 */
export async function orderDetail(
  order: ServiceOrder,
  viewer: Person,
  deps: { directory: ViewDirectory; clocks: ClockSource; now: Date },
) {
  const actions = availableActions(orderFacts(order), actorFactsOf(viewer));
  const rules = actions.map((verb) => ruleFor(verb));
  const needs = (field: string) => rules.some((r) => (r.requires as readonly string[]).includes(field));
  const [engineers, contracts, centre, clocks] = await Promise.all([
    needs('engineerId') ? deps.directory.engineersOfCentre(order.centreId) : Promise.resolve([]),
    needs('contractId') ? deps.directory.contractsFor(order.centreId, order.equipment.type) : Promise.resolve([]),
    deps.directory.centre(order.centreId),
    deps.clocks.clocksOf(order, deps.now),
  ]);
  return {
    ...orderRow(order, leastRemaining(clocks.clocks)),
    description: order.description,
    ...(order.relatedTo && { relatedTo: order.relatedTo }),
    centreName: centre?.name ?? order.centreId,
    timeZone: centre?.timeZone,
    channel: order.channel,
    equipment: {
      type: order.equipment.type,
      typeLabel: EQUIPMENT_LABELS[order.equipment.type],
      ...(order.equipment.inventoryNumber && { inventoryNumber: order.equipment.inventoryNumber }),
      ...(order.equipment.location && { location: order.equipment.location }),
    },
    contact: order.contact ?? {},
    addenda: (order.addenda ?? []).map((a) => ({ text: a.text, by: a.by.name, at: a.at.toISOString() })),
    files: order.attachments.map((a) => ({
      filename: a.filename,
      size: a.size,
      contentType: a.contentType,
      stored: !a.notStored,
    })),
    ...(order.resolution && {
      resolution: {
        solution: order.resolution.solution,
        documentation: order.resolution.documentation,
        by: order.resolution.by.name,
      },
    }),
    ...(order.validation && {
      validation: { by: order.validation.confirmedBy.name, at: order.validation.at.toISOString() },
    }),
    ...(order.signature && { signature: { judge: order.signature.judge.name, at: order.signature.at.toISOString() } }),
    timeline: order.history.filter((h) => h.action !== 'notification').map(historyView),
    clocks: clocks.clocks.map(clockView),
    actions: rules.map((r) => ({
      verb: r.action,
      label: r.label,
      requires: r.requires.map((f) => ({ field: f, label: FIELD_LABELS[f] })),
      ...(OPTIONAL_INPUTS[r.action] && { offers: OPTIONAL_INPUTS[r.action] }),
    })),
    ...(rules.some((r) => r.action === 'correct_facts') && {
      equipmentTypes: EQUIPMENT_TYPES.map((t) => ({ id: t, name: EQUIPMENT_LABELS[t] })),
    }),
    engineers: engineers.map((e) => ({ id: e.id, name: e.name })),
    contracts: contracts.map((c) => ({ id: c.id, name: `${c.providerId} · ${c.id}` })),
  };
}
