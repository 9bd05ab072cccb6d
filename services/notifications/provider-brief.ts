import type { DirectoryReader } from '../directory/directory-store';
import type { Centre, Contract, Person } from '../directory/schema';
import { EQUIPMENT_LABELS, PRIORITY_LABELS, type ServiceOrder } from '../orders/types';
import { STATUS_LABELS } from '../workflow';
import { whenInZone } from './messages';

/** What a provider needs beyond the order to go on site, looked up in the directory. */
export interface ProviderFacts {
  centre: Centre | null;
  contract: Contract | null;
  /** The requester as the directory knows them (for the extension); null when not registered. */
  requester: Person | null;
}

export type ProviderFactsDirectory = Pick<DirectoryReader, 'centre' | 'contractById' | 'personById'>;

export async function loadProviderFacts(
  directory: ProviderFactsDirectory,
  order: Pick<ServiceOrder, 'centreId' | 'provider' | 'requester'>,
): Promise<ProviderFacts> {
  const [centre, contract, requester] = await Promise.all([
    directory.centre(order.centreId),
    order.provider ? directory.contractById(order.provider.contractId) : Promise.resolve(null),
    order.requester.personId ? directory.personById(order.requester.personId) : Promise.resolve(null),
  ]);
  return { centre, contract, requester };
}

/** One labelled fact of the brief. */
export interface BriefLine {
  label: string;
  value: string;
}

/**
 * The facts of an order a provider's visit needs, in the order a technician reads them: where
 * (centre, address, location), who to ask for (name, extension, phone, mail), under which
 * contract (its number, which the provider's own systems know), and by when (date, time and
 * the centre's time zone). Shared by the provider's mails and the action page, so both say
 * the same. Missing facts are left out rather than shown empty.
 */
export function providerBrief(order: ServiceOrder, facts: ProviderFacts): BriefLine[] {
  const lines: BriefLine[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value && value.trim()) lines.push({ label, value });
  };
  add('Folio', order.folio);
  add('Estado', STATUS_LABELS[order.status]);
  add('Prioridad', PRIORITY_LABELS[order.priority]);
  add('Centro', facts.centre ? `${facts.centre.name} (${facts.centre.state})` : order.centreId);
  add('Domicilio', facts.centre?.address);
  add('Equipo', EQUIPMENT_LABELS[order.equipment.type]);
  add('Ubicación', order.equipment.location);
  add('Número de inventario', order.equipment.inventoryNumber);
  add('Solicitante', order.requester.name);
  add('Extensión', order.contact?.extension ?? facts.requester?.extension);
  add('Teléfono', order.contact?.phone);
  add('Correo del solicitante', order.contact?.email ?? order.requester.email ?? facts.requester?.email);
  add('Contrato', facts.contract?.number ?? order.provider?.contractId);
  const d = order.provider?.deadlines;
  if (d) {
    add('Plazo de atención', whenInZone(d.attendBy, d.zone));
    add('Plazo de solución', whenInZone(d.resolveBy, d.zone));
  }
  add('Falla reportada', order.description);
  return lines;
}

/** The paragraphs a provider's mail adds: the brief, and how to record the visit. */
export function providerMailParagraphs(order: ServiceOrder, facts: ProviderFacts, link?: string): string[] {
  const brief = providerBrief(order, facts)
    .map((l) => `${l.label}: ${l.value}`)
    .join('\n');
  return [
    `Datos para la atención en sitio:\n${brief}`,
    link
      ? `Para registrar la atención o documentar la resolución, abra este enlace personal (vence y sirve una sola vez): ${link}`
      : '',
    'También puede responder a este correo; su respuesta se agrega a la orden y la recibe el ingeniero asignado.',
  ];
}
