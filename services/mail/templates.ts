import { STATUS_LABELS } from '../workflow';
import { EQUIPMENT_LABELS, type ServiceOrder } from '../orders/types';
import { folioTag } from './headers';

/** One mail's words: a subject, paragraphs and an optional call to reply. */
interface Message {
  subject: string;
  paragraphs: string[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const REPLY_HINT = 'Puede responder a este correo para agregar información a la orden; conserve el folio en el asunto.';

/** The Spanish catalogue of notices, by outbox event. Unknown events get the status notice. */
const CATALOGUE: Record<string, (o: ServiceOrder) => Message> = {
  order_reported: (o) => ({
    subject: `Reporte recibido, folio ${o.folio}`,
    paragraphs: [`Registramos su reporte con el folio ${o.folio}.`, `Falla reportada: ${o.description}`, 'La Mesa de Servicio lo atenderá a la brevedad.'],
  }),
  new_order: (o) => ({ subject: `Nueva orden ${o.folio}`, paragraphs: [`${o.requester.name} reportó una falla (${EQUIPMENT_LABELS[o.equipment.type]}).`, o.description] }),
  status_changed: (o) => ({ subject: `Su orden ${o.folio}: ${STATUS_LABELS[o.status]}`, paragraphs: [`El estado de su orden ahora es «${STATUS_LABELS[o.status]}».`] }),
  validation_request: (o) => ({
    subject: `Valide la atención de la orden ${o.folio}`,
    paragraphs: [
      'La atención de su reporte quedó registrada. Por favor confirme si la falla quedó resuelta.',
      'Responda a este correo con «Sí, quedó resuelto» para confirmar, o con «No funciona todavía» y el motivo para rechazar.',
    ],
  }),
  order_assigned: (o) => ({ subject: `Orden ${o.folio} turnada a usted`, paragraphs: [`Se le turnó la orden ${o.folio} (${EQUIPMENT_LABELS[o.equipment.type]}).`, o.description] }),
  order_unassigned: (o) => ({ subject: `Orden ${o.folio} reasignada`, paragraphs: ['La orden fue turnada a otro ingeniero.'] }),
  validation_rejected: (o) => ({ subject: `La atención de la orden ${o.folio} fue rechazada`, paragraphs: ['El solicitante indicó que la falla persiste. Revise el historial de la orden.'] }),
  turned_to_provider: (o) => ({
    subject: `Orden de servicio ${o.folio} turnada a su empresa`,
    paragraphs: [`Se turnó a su empresa la orden ${o.folio} (${EQUIPMENT_LABELS[o.equipment.type]}).`, o.description, 'Atiéndala dentro de los tiempos del contrato.'],
  }),
  signature_request: (o) => ({ subject: `Firma pendiente de la orden ${o.folio}`, paragraphs: ['El solicitante validó la atención; falta su firma y sello.'] }),
  order_validated: (o) => ({ subject: `Orden ${o.folio} validada`, paragraphs: [`La orden está «${STATUS_LABELS[o.status]}».`] }),
  order_resolved: (o) => ({ subject: `Orden ${o.folio} resuelta`, paragraphs: ['La atención quedó documentada; la orden puede cerrarse.'] }),
  order_comment: (o) => {
    const last = [...o.history].reverse().find((h) => h.action === 'comment');
    return { subject: `Nuevo comentario en la orden ${o.folio}`, paragraphs: [`${last?.by.name ?? 'Alguien'} escribió:`, last?.note ?? ''] };
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function render(message: Message, footer: string[]): RenderedMail {
  const paragraphs = [...message.paragraphs.filter(Boolean), ...footer];
  const text = `${paragraphs.join('\n\n')}\n\n--\nMesa de Servicio · Centros de Justicia Penal Federal\n`;
  const html = `<!doctype html><html lang="es-MX"><body style="font-family:Arial,sans-serif">${paragraphs
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}<p style="color:#666">Mesa de Servicio · Centros de Justicia Penal Federal</p></body></html>`;
  return { subject: message.subject, text, html };
}

/** The mail for one outbox notice; the folio tag leads the subject so replies find the order. */
export function renderNotice(event: string, order: ServiceOrder): RenderedMail {
  const message = (CATALOGUE[event] ?? CATALOGUE.status_changed)(order);
  const footer = [`Folio: ${order.folio} · Estado: ${STATUS_LABELS[order.status]}`, REPLY_HINT];
  return render({ ...message, subject: `${folioTag(order.folio)} ${message.subject}` }, footer);
}

/** The one polite answer to a sender outside the allowed domains. */
export function renderRefusal(originalSubject: string): RenderedMail {
  return render(
    {
      subject: `Re: ${originalSubject}`.slice(0, 200),
      paragraphs: [
        'Gracias por escribir a la Mesa de Servicio de los Centros de Justicia Penal Federal.',
        'Este buzón atiende únicamente reportes del personal de los centros y de los proveedores registrados, por lo que su mensaje no fue registrado.',
        'Si usted forma parte del personal, escriba desde su cuenta institucional.',
      ],
    },
    [],
  );
}
