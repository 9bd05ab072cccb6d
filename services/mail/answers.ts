import { REOPEN_BUSINESS_DAYS } from '../notifications/messages';
import type { ServiceOrder } from '../orders/types';
import { STATUS_LABELS } from '../workflow';
import { folioTag } from './headers';
import { renderMail, type RenderedMail } from './templates';

/**
 * The Spanish answers mail intake gives to a person's mail (as opposed to notices about an
 * order's change, which come from the notice catalogue): each is a reply to that mail.
 */
const re = (subject: string) => `Re: ${subject || 'su mensaje'}`.slice(0, 200);

/** To a requester who replied «sigue fallando» after the reopening window. */
export function reopenTooLateAnswer(order: Pick<ServiceOrder, 'folio'>, subject: string): RenderedMail {
  return renderMail({
    subject: re(subject),
    paragraphs: [
      `La orden ${order.folio} se cerró hace más de ${REOPEN_BUSINESS_DAYS} días hábiles, por lo que ya no puede reabrirse.`,
      `Para reportar que la falla continúa, envíe un correo nuevo a esta dirección (no una respuesta) describiendo la falla y mencione el folio ${order.folio}; se registrará un reporte nuevo relacionado con el anterior.`,
    ],
  });
}

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
        : `Si la falla continúa, envíe un correo nuevo describiéndola y mencione el folio ${order.folio}; se registrará un reporte nuevo.`,
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
