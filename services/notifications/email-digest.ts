import type { DirectoryReader } from '../directory/directory-store';
import { automatedHeaders, notificationMessageId } from '../mail/headers';
import type { MailSender } from '../mail/mail-sender';
import type { NotificationChannel, NotificationDoc } from '../outbox/types';
import type { ServiceOrder } from '../orders/types';
import { digestMessage } from './messages';

export interface EmailDigestDeps {
  sender: MailSender;
  directory: Pick<DirectoryReader, 'personById'>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The email channel with digests: single notices go through `channel` unchanged; a batch for
 * one person (see the dispatcher's quiet window) leaves as ONE mail listing each folio and
 * what happened, from the catalogue. Its Message-ID is derived from the first notice's id,
 * so a retried batch carries the same one.
 */
export function withEmailDigest(channel: NotificationChannel, deps: EmailDigestDeps): NotificationChannel {
  return {
    name: channel.name,
    canReach: (recipient) => channel.canReach(recipient),
    send: (notification, order) => channel.send(notification, order),
    async sendDigest(items: readonly { doc: NotificationDoc; order: ServiceOrder }[]) {
      const first = items[0]!.doc;
      const to = first.recipient.email ?? (first.recipient.personId ? (await deps.directory.personById(first.recipient.personId))?.email : undefined);
      if (!to) throw new Error(`no email address for ${first.recipient.personId ?? first.recipient.role}`);
      const digest = digestMessage(items.map((i) => ({ event: i.doc.event, order: i.order })));
      const footer = 'Mesa de Servicio · Centros de Justicia Penal Federal';
      await deps.sender.send({
        to,
        subject: digest.subject,
        text: `${digest.paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
        html: `<!doctype html><html lang="es-MX"><body style="font-family:Arial,sans-serif">${digest.paragraphs
          .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('')}<p style="color:#666">${footer}</p></body></html>`,
        messageId: notificationMessageId(first._id, deps.sender.from),
        headers: automatedHeaders(first._id),
      });
    },
  };
}
