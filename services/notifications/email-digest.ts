import type { DirectoryReader } from '../directory/directory-store';
import { automatedHeaders, notificationMessageId } from '../mail/headers';
import { cedulaAttachments, type CedulaPdfs } from '../mail/email-channel';
import type { MailSender } from '../mail/mail-sender';
import { renderMail } from '../mail/templates';
import type { NotificationChannel, NotificationDoc } from '../outbox/types';
import type { ServiceOrder } from '../orders/types';
import { digestMessage } from './messages';

export interface EmailDigestDeps {
  sender: MailSender;
  directory: Pick<DirectoryReader, 'personById'>;
  /** A digest holding a `cedula_issued` notice attaches that Cédula, as the single mail would. */
  cedulaPdfs?: CedulaPdfs;
}

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
      const attachments = await cedulaAttachments(deps.cedulaPdfs, items.map((i) => i.doc));
      await deps.sender.send({
        to,
        ...renderMail(digest),
        messageId: notificationMessageId(first._id, deps.sender.from),
        headers: automatedHeaders(first._id),
        attachments,
      });
    },
  };
}
