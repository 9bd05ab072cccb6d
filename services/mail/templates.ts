import {
  MAIL_SIGNATURE,
  mailFooter,
  noticeMessage,
  type NoticeContext,
  type NoticeText,
} from '../notifications/messages';
import type { ServiceOrder } from '../orders/types';
import { folioTag } from './headers';

/** One mail's words: a subject and paragraphs. */
type Message = Pick<NoticeText, 'subject' | 'paragraphs'>;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The mail layout only: the words come from the caller (for notices, the catalogue in
 * services/notifications/messages.ts). Plain text and HTML carry the same paragraphs, a
 * newline inside a paragraph becoming a line break, and the same signature.
 */
export function renderMail(message: Message, footer: readonly string[] = []): RenderedMail {
  const paragraphs = [...message.paragraphs.filter(Boolean), ...footer];
  const text = `${paragraphs.join('\n\n')}\n\n--\n${MAIL_SIGNATURE}\n`;
  const html = `<!doctype html><html lang="es-MX"><body style="font-family:Arial,sans-serif">${paragraphs
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}<p style="color:#666">${escapeHtml(MAIL_SIGNATURE)}</p></body></html>`;
  return { subject: message.subject, text, html };
}

/** The mail for one outbox notice (with `extra` paragraphs for its recipient); the folio tag leads the subject so replies find the order. */
export function renderNotice(
  event: string,
  order: ServiceOrder,
  ctx: NoticeContext = {},
  extra: readonly string[] = [],
): RenderedMail {
  const message = noticeMessage(event, order, ctx);
  return renderMail(
    {
      subject: `${folioTag(order.folio)} ${message.subject}`,
      paragraphs: [...message.paragraphs, ...extra],
    },
    mailFooter(order),
  );
}

/** The one polite answer to a sender outside the allowed domains. */
export function renderRefusal(originalSubject: string): RenderedMail {
  return renderMail({
    subject: `Re: ${originalSubject}`.slice(0, 200),
    paragraphs: [
      'Gracias por escribir a la Mesa de Servicio de los Centros de Justicia Penal Federal.',
      'Este buzón atiende únicamente reportes del personal de los centros y de los proveedores registrados, por lo que su mensaje no fue registrado.',
      'Si usted forma parte del personal, escriba desde su cuenta institucional.',
    ],
  });
}
