import type { Attachment } from 'botbuilder';
import type { DirectoryReader } from '../services/directory/directory-store';
import type { Person } from '../services/directory/schema';
import { actorFactsOf, orderFacts } from '../services/orders/apply-transition';
import { EQUIPMENT_LABELS, EQUIPMENT_TYPES, PRIORITIES, PRIORITY_LABELS, ServiceOrder } from '../services/orders/types';
import { reopenWindow } from '../services/orders/reopen-window';
import { Action, availableActions, ruleFor, STATUS_LABELS } from '../services/workflow';
import { cardAttachment, expandCard } from './cards/render';
import { FileLinker, filesOf, INLINE_IMAGE_TYPES } from '../services/files/file-links';

export type CardDirectory = Pick<DirectoryReader, 'centre' | 'engineersOfCentre' | 'contractsFor'>;

/** A line above the order: what just happened (accent) or why an action was refused (attention). */
export interface CardNotice {
  text: string;
  tone: 'info' | 'error';
}

/** What the text field of a conversation action is called on the card. */
const MESSAGE_LABELS: Partial<Record<Action, string>> = {
  message_requester: 'Mensaje para el solicitante (lo recibe por Teams o por correo)',
  add_note: 'Nota interna (solo la ve el personal de la Mesa)',
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Date and time as people in the zone read it; one formatter per zone (building one is costly). */
function formatDate(date: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('es-MX', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    formatters.set(timeZone, format);
  }
  return format.format(date);
}

/** The Teams deep link that opens a 1:1 chat with `email`. */
export const teamsChatLink = (email: string) =>
  `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(email)}`;

/** Whether the viewer works the order and needs to reach its requester: an analyst, its engineer, its provider. */
function worksOn(order: ServiceOrder, viewer: Person | null): boolean {
  if (!viewer) return false;
  if (viewer.roles.includes('analyst')) return true;
  if (order.engineer?.personId === viewer.id) return true;
  return viewer.providerId !== undefined && order.provider?.providerId === viewer.providerId;
}

/** How to reach the requester, for those who work the order: extension, email, a Teams chat link. */
function requesterContact(order: ServiceOrder, viewer: Person | null): { contact: string; chatUrl: string } {
  if (!worksOn(order, viewer)) return { contact: '', chatUrl: '' };
  const email = order.requester.email ?? order.contact?.email;
  const parts = [
    order.contact?.extension ? `Ext. ${order.contact.extension}` : '',
    order.contact?.phone ? `Tel. ${order.contact.phone}` : '',
    email ?? '',
  ].filter(Boolean);
  return { contact: parts.length ? `Contacto: ${parts.join(' · ')}` : '', chatUrl: email ? teamsChatLink(email) : '' };
}

/**
 * What a judge signs, on the card that asks them to: who attended, when, what was done,
 * and when the requester validated it. Empty for anyone else or in any other state.
 */
function signingFacts(
  order: ServiceOrder,
  viewer: Person | null,
  timeZone: string,
): Array<{ title: string; value: string }> {
  if (order.status !== 'signature' || !viewer?.roles.includes('judge')) return [];
  const attended = order.provider?.name ?? order.engineer?.name;
  const attendedAt = order.timestamps.providerAttendedAt ?? order.resolution?.at;
  const done =
    order.resolution?.documentation ??
    order.resolution?.solution ??
    [...order.history].reverse().find((h) => h.action === 'record_provider_attention' && h.note)?.note;
  const facts = [
    { title: 'Atendió', value: attended ?? '—' },
    { title: 'Atención registrada', value: attendedAt ? formatDate(attendedAt, timeZone) : '—' },
    { title: 'Qué se hizo', value: done ?? 'Sin descripción registrada' },
  ];
  if (order.validation)
    facts.push({
      title: 'Validó',
      value: `${order.validation.confirmedBy.name}, ${formatDate(order.validation.at, timeZone)}`,
    });
  return facts;
}

function signingOf(order: ServiceOrder, viewer: Person | null, timeZone: string) {
  const signing = signingFacts(order, viewer, timeZone);
  return { signing, hasSigning: signing.length > 0 };
}

/** The order's stored files as the card shows them: images as thumbnails, the rest as links. */
function filesData(order: ServiceOrder, links: FileLinker | undefined) {
  const files = filesOf(order).flatMap((f) => {
    const url = links?.(order, f);
    return url ? [{ name: f.filename, url, image: INLINE_IMAGE_TYPES.has(f.contentType) }] : [];
  });
  return {
    images: files.filter((f) => f.image),
    documents: files.filter((f) => !f.image).map((f) => ({ ...f, text: `📎 [${f.name}](${f.url})` })),
    hasImages: files.some((f) => f.image),
    hasFiles: files.length > 0,
  };
}

/**
 * The data of an order card for one viewer: the order's facts and only the actions the
 * workflow says this person may take now. Buttons carry the order id, the verb and the
 * version the card was drawn from; nothing else.
 */
export async function orderCardData(
  order: ServiceOrder,
  viewer: Person | null,
  directory: CardDirectory,
  timeZone: string,
  notice?: CardNotice,
  links?: FileLinker,
): Promise<object> {
  const centre = await directory.centre(order.centreId);
  // «Sigue fallando» is offered only while the order may still be reopened.
  const reopenable = order.status === 'closed' && reopenWindow(order, centre, new Date()) === 'open';
  const actions: Action[] = viewer
    ? availableActions(orderFacts(order), actorFactsOf(viewer)).filter((a) => a !== 'reopen' || reopenable)
    : [];
  const orderId = order._id.toHexString();
  // Past the window, the requester is offered a new report linked to this one instead.
  const offerRelated = order.status === 'closed' && !reopenable && viewer?.id === order.requester.personId;
  const rules = actions.map((verb) => ruleFor(verb));
  const needs = (field: string) => rules.some((r) => (r.requires as readonly string[]).includes(field));
  const engineers = needs('engineerId') ? await directory.engineersOfCentre(order.centreId) : [];
  const contracts = needs('contractId') ? await directory.contractsFor(order.centreId, order.equipment.type) : [];
  const base = (verb: Action) => ({ verb, title: ruleFor(verb).label, orderId, version: order.version });
  return {
    notice: notice?.text ?? '',
    noticeColor: notice?.tone === 'error' ? 'Attention' : 'Accent',
    orderId,
    folio: order.folio,
    statusLabel: STATUS_LABELS[order.status],
    relatedTo: order.relatedTo ?? '',
    offerRelated,
    equipment: EQUIPMENT_LABELS[order.equipment.type],
    centre: centre?.name ?? order.centreId,
    location: order.equipment.location ?? '—',
    inventory: order.equipment.inventoryNumber ?? '—',
    requester: order.requester.name,
    engineer: order.engineer?.name ?? '—',
    updated: formatDate(order.updatedAt, timeZone),
    description: order.description,
    priority: PRIORITY_LABELS[order.priority],
    flags: viewer && isStaff(viewer) ? staffFlags(order) : [],
    ...requesterContact(order, viewer),
    ...signingOf(order, viewer, timeZone),
    ...filesData(order, links),
    simpleActions: rules.filter((r) => r.requires.length === 0).map((r) => base(r.action)),
    inputActions: rules
      .filter((r) => r.requires.length > 0)
      .map((r) => ({
        ...base(r.action),
        needsSolution: r.requires.includes('solution'),
        needsDocumentation: r.requires.includes('documentation'),
        needsReason: r.requires.includes('reason'),
        needsEngineer: r.requires.includes('engineerId'),
        needsContract: r.requires.includes('contractId'),
        needsPriority: r.action === 'set_priority',
        needsFacts: r.action === 'correct_facts',
        needsMessage: r.requires.includes('message'),
        messageLabel: MESSAGE_LABELS[r.action] ?? 'Mensaje',
      })),
    priorities: PRIORITIES.filter((p) => p !== order.priority).map((p) => ({ title: PRIORITY_LABELS[p], value: p })),
    equipmentTypes: EQUIPMENT_TYPES.map((t) => ({ title: EQUIPMENT_LABELS[t], value: t })),
    engineers: engineers.map((e) => ({ title: e.name, value: e.id })),
    contracts: contracts.map((c) => ({ title: `${c.number} (${c.providerId})`, value: c.id })),
  };
}

const isStaff = (p: Person) => p.roles.some((r) => r === 'analyst' || r === 'engineer' || r === 'admin');

/**
 * What the desk must look at before working the order: an inventory number the equipment
 * register does not hold (kept as written, to be verified), and a repeated failure of the
 * same asset (the third within the window asks for a root cause, not another repair).
 */
export function staffFlags(order: ServiceOrder): Array<{ text: string }> {
  const flags: Array<{ text: string }> = [];
  if (order.equipment.register === 'unknown')
    flags.push({
      text: `⚠ El inventario ${order.equipment.inventoryNumber ?? ''} no está en el registro de equipos: verifíquelo o corríjalo.`,
    });
  const repeat = order.repeatFailure;
  if (repeat)
    flags.push({
      text: `⚠ Falla repetida: ${repeat.count}.ª falla de este equipo en ${repeat.windowDays} días (antes: ${repeat.earlier.join(', ')}).`,
    });
  return flags;
}

export async function orderCard(
  order: ServiceOrder,
  viewer: Person | null,
  directory: CardDirectory,
  timeZone: string,
  notice?: CardNotice,
  links?: FileLinker,
): Promise<Attachment> {
  return cardAttachment('order', await orderCardData(order, viewer, directory, timeZone, notice, links));
}

export async function orderCardJson(
  order: ServiceOrder,
  viewer: Person | null,
  directory: CardDirectory,
  timeZone: string,
  notice?: CardNotice,
  links?: FileLinker,
): Promise<Record<string, unknown>> {
  return expandCard('order', await orderCardData(order, viewer, directory, timeZone, notice, links));
}

/** The Spanish error card, for when no order can be shown. */
export function errorCardJson(message: string, folio = ''): Record<string, unknown> {
  return expandCard('error', { title: 'No se pudo realizar la acción', message, folio });
}
