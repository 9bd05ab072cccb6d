import { REOPEN_BUSINESS_DAYS } from '../notifications/messages';
import { EQUIPMENT_LABELS, type ServiceOrder } from '../orders/types';
import { STATUS_LABELS } from '../workflow';
import { folioTag } from './headers';
import { renderMail, type RenderedMail } from './templates';

/**
 * The Spanish answers mail intake gives to a person's mail (as opposed to notices about an
 * order's change, which come from the notice catalogue): each is a reply to that mail.
 */
const re = (subject: string) => `Re: ${subject || 'su mensaje'}`.slice(0, 200);

/** To a requester who wrote about a closed order without saying the failure came back. */
export function closedOrderAnswer(
  order: Pick<ServiceOrder, 'folio'>,
  subject: string,
  canReopen: boolean,
): RenderedMail {
  return renderMail({
    subject: re(subject),
    paragraphs: [
      `La orden ${order.folio} está cerrada, por lo que su mensaje no se agregó a ella.`,
      canReopen
        ? `Si la falla continúa, responda a este correo con «Sigue fallando» e indique qué ocurre: la orden regresará a la Mesa de Servicio.`
        : `Si la falla continúa, responda a este correo con «Sigue fallando» e indique qué ocurre: como la orden se cerró hace más de ${REOPEN_BUSINESS_DAYS} días hábiles y ya no puede reabrirse, registraremos un reporte nuevo relacionado con ella.`,
    ],
  });
}

/** The confirmation of a reopening, to the requester who asked for it. */
export function reopenedAnswer(order: Pick<ServiceOrder, 'folio' | 'status'>, subject: string): RenderedMail {
  return renderMail({
    subject: `${folioTag(order.folio)} ${re(subject)}`.slice(0, 200),
    paragraphs: [
      `Reabrimos la orden ${order.folio}: regresó a la Mesa de Servicio («${STATUS_LABELS[order.status]}») y le avisaremos de su atención.`,
    ],
  });
}

/** One formatter for dates in answers, per zone. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dated(at: Date, zone: string): string {
  let format = dateFormats.get(zone);
  if (!format)
    dateFormats.set(
      zone,
      (format = new Intl.DateTimeFormat('es-MX', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone })),
    );
  return format.format(at);
}

const snippet = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The status of one order, to someone allowed to see it. */
export function statusAnswer(order: ServiceOrder, subject: string, zone: string): RenderedMail {
  return renderMail({
    subject: re(subject),
    paragraphs: [
      `La orden ${order.folio} está en estado «${STATUS_LABELS[order.status]}».`,
      [
        `Equipo: ${EQUIPMENT_LABELS[order.equipment.type]}${order.equipment.location ? ` (${order.equipment.location})` : ''}`,
        `Reportada: ${dated(order.createdAt, zone)} por ${order.requester.name}`,
        order.engineer ? `Ingeniero: ${order.engineer.name}` : '',
        order.relatedTo ? `Relacionada con la orden ${order.relatedTo} (la falla volvió después de su cierre)` : '',
        `Última actualización: ${dated(order.updatedAt, zone)}`,
        `Falla: ${snippet(order.description, 300)}`,
      ]
        .filter(Boolean)
        .join('\n'),
    ],
  });
}

/**
 * To anyone asking about a folio that does not exist or that they may not see: the same
 * words either way, so folios cannot be walked by mail.
 */
export function statusUnknownAnswer(folio: string, subject: string): RenderedMail {
  return renderMail({
    subject: re(subject),
    paragraphs: [
      `No encontramos una orden con el folio ${folio} que usted pueda consultar.`,
      'Revise el folio (por ejemplo OS-2026-000123). Para ver sus reportes abiertos, escriba «mis reportes».',
    ],
  });
}

/** The sender's open reports, newest first, up to `shown` of `total`. */
export function myReportsAnswer(orders: readonly ServiceOrder[], total: number, subject: string): RenderedMail {
  if (total === 0) return renderMail({ subject: re(subject), paragraphs: ['No tiene órdenes de servicio abiertas.'] });
  const lines = orders.map(
    (o) =>
      `• ${o.folio} · ${STATUS_LABELS[o.status]} · ${EQUIPMENT_LABELS[o.equipment.type]}: ${snippet(o.description, 80)}`,
  );
  return renderMail({
    subject: re(subject),
    paragraphs: [
      `Tiene ${total} ${total === 1 ? 'orden abierta' : 'órdenes abiertas'}:`,
      lines.join('\n'),
      total > orders.length ? `Se muestran las ${orders.length} más recientes.` : '',
      'Para ver el detalle de una, escriba «estado» y el folio, por ejemplo «estado OS-2026-000123».',
    ],
  });
}

/** To a colleague whose address is in a served domain but not in the directory. */
export function unknownColleagueAnswer(subject: string): RenderedMail {
  return renderMail({
    subject: re(subject),
    paragraphs: [
      'Gracias por escribir a la Mesa de Servicio de los Centros de Justicia Penal Federal.',
      'Su dirección de correo aún no está registrada en el directorio de la Mesa, por lo que su mensaje quedó en espera y todavía no tiene folio.',
      'Pida al administrador del directorio de su centro (o al área de Tecnologías de la Información) que lo registre con su nombre, centro y extensión. En cuanto quede registrado, la Mesa atenderá el mensaje que envió; no hace falta enviarlo de nuevo.',
    ],
  });
}
