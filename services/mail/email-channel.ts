import type { ObjectId } from 'mongodb';
import type { DirectoryReader } from '../directory/directory-store';
import { AppError, upstreamStep } from '../errors';
import type { NotificationChannel, NotificationDoc } from '../outbox/types';
import type { PendingNotice, ServiceOrder } from '../orders/types';
import { automatedHeaders, notificationMessageId, orderThreadId } from './headers';
import type { MailAttachment, MailSender } from './mail-sender';
import { digestMessage } from '../notifications/messages';
import { renderMail, renderNotice } from './templates';
import type { FileLinker } from '../files/file-links';

/** Message-IDs of mails about each order, so replies to them find the order. */
export interface ThreadRefs {
  rememberRef(messageId: string, orderId: ObjectId, kind: 'sent' | 'received'): Promise<void>;
  /** The Message-ID of the mail the order came from, when it came by mail. */
  firstReceived(orderId: ObjectId): Promise<string | undefined>;
}

/** Issued Cédula PDFs, read by the order id a `cedula_issued` notice carries. */
export interface CedulaPdfs {
  /** The issued PDF of the order; null when there is none. */
  pdfOfOrder(orderId: ObjectId): Promise<{ folio: string; pdf: Buffer } | null>;
}

/**
 * The Cédula PDFs a mail carrying these notices attaches, re-read from their store by each
 * `cedula_issued` notice's order id. A notice whose PDF cannot be read fails (and is
 * retried) rather than leaving without it.
 */
async function cedulaAttachments(
  pdfs: CedulaPdfs | undefined,
  notices: readonly NotificationDoc[],
): Promise<MailAttachment[]> {
  if (!pdfs) return [];
  const attachments: MailAttachment[] = [];
  for (const n of notices.filter((doc) => doc.event === 'cedula_issued')) {
    const found = await pdfs.pdfOfOrder(n.orderId);
    if (!found) {
      throw new AppError(
        'NOT_FOUND',
        `no Cédula PDF for order ${n.orderId.toHexString()}`,
        'La cédula de nivel de servicio aún no está disponible.',
        { orderId: n.orderId.toHexString() },
      );
    }
    if (!attachments.some((a) => a.filename === `cedula-${found.folio}.pdf`)) {
      attachments.push({ filename: `cedula-${found.folio}.pdf`, content: found.pdf, contentType: 'application/pdf' });
    }
  }
  return attachments;
}

const UNAVAILABLE = 'No fue posible enviar el aviso por correo; se reintentará.';

export interface EmailChannelDeps {
  sender: MailSender;
  directory: Pick<DirectoryReader, 'personById'>;
  refs: ThreadRefs;
  /** Attaches the Cédula to `cedula_issued` mails; absent: those mails carry the links only. */
  cedulaPdfs?: CedulaPdfs;
  /** PUBLIC_BASE_URL, for absolute links in the words of notices. */
  publicBaseUrl?: string;
  /**
   * What a mail to a provider contact adds (the visit's facts, an action link): providers
   * have no Teams account here, so their mail is all they get. Absent: the notice alone.
   */
  providerMail?: (order: ServiceOrder, email: string) => Promise<string[]>;
  /** Signs links to the order's files listed in notices. */
  fileLink?: FileLinker;
}

/**
 * The outbox's email channel. Every mail carries the folio tag in the subject, a Message-ID
 * derived from the notification id (a retry sends the same id), In-Reply-To/References to
 * the order's thread (and to the requester's original mail, when there is one), our header
 * and `Auto-Submitted` (`auto-replied` on the receipt of a mailed report). The Message-ID is recorded before sending so a
 * reply that arrives at once already threads.
 */
export class EmailChannel implements NotificationChannel {
  readonly name = 'email';

  constructor(private readonly deps: EmailChannelDeps) {}

  private async address(recipient: PendingNotice['recipient']): Promise<string | undefined> {
    if (recipient.email) return recipient.email;
    if (!recipient.personId) return undefined;
    return (await this.deps.directory.personById(recipient.personId))?.email;
  }

  private async addressOf(recipient: PendingNotice['recipient']): Promise<string> {
    const to = await this.address(recipient);
    if (!to)
      throw new AppError(
        'NOT_FOUND',
        `no email address for ${recipient.personId ?? recipient.role}`,
        'La persona no tiene correo registrado.',
      );
    return to;
  }

  async canReach(recipient: PendingNotice['recipient']): Promise<boolean> {
    return upstreamStep('email: look up address', UNAVAILABLE, async () => Boolean(await this.address(recipient)));
  }

  /**
   * Sends one notice. Whatever fails on the way — the directory, the thread references in
   * the database, the SMTP server — leaves as the service's error (UPSTREAM unless it is a
   * refusal such as a missing address), so the dispatcher retries or records it alike.
   */
  send(notification: NotificationDoc, order: ServiceOrder): Promise<void> {
    return upstreamStep('email: send', UNAVAILABLE, () => this.sendNow(notification, order));
  }

  private async sendNow(notification: NotificationDoc, order: ServiceOrder): Promise<void> {
    const to = await this.addressOf(notification.recipient);
    const from = this.deps.sender.from;
    const messageId = notificationMessageId(notification._id, from);
    const thread = orderThreadId(order._id.toHexString(), from);
    const attachments = await cedulaAttachments(this.deps.cedulaPdfs, [notification]);
    const original = await this.deps.refs.firstReceived(order._id);
    const references = original ? [original, thread] : [thread];
    await this.deps.refs.rememberRef(messageId, order._id, 'sent');
    const extra =
      notification.recipient.role === 'provider_contact' && this.deps.providerMail
        ? await this.deps.providerMail(order, to)
        : [];
    await this.deps.sender.send({
      to,
      ...renderNotice(
        notification.event,
        order,
        { publicBaseUrl: this.deps.publicBaseUrl, fileLink: this.deps.fileLink },
        extra,
      ),
      messageId,
      inReplyTo: original ?? thread,
      references,
      attachments,
      // The receipt of a mailed report answers that mail; every other notice is generated.
      headers: automatedHeaders(
        notification._id,
        original && notification.event === 'order_reported' ? 'auto-replied' : 'auto-generated',
      ),
    });
  }

  /**
   * A batch for one person (the dispatcher's quiet window) leaves as ONE mail listing each
   * folio and what happened, from the catalogue, with any Cédula a single mail would carry.
   * Its Message-ID is derived from the first notice's id, so a retried batch carries the same.
   */
  sendDigest(items: readonly { doc: NotificationDoc; order: ServiceOrder }[]): Promise<void> {
    return upstreamStep('email: send digest', UNAVAILABLE, () => this.sendDigestNow(items));
  }

  private async sendDigestNow(items: readonly { doc: NotificationDoc; order: ServiceOrder }[]): Promise<void> {
    const first = items[0]!.doc;
    const to = await this.addressOf(first.recipient);
    const digest = digestMessage(items.map((i) => ({ event: i.doc.event, order: i.order })));
    const attachments = await cedulaAttachments(
      this.deps.cedulaPdfs,
      items.map((i) => i.doc),
    );
    await this.deps.sender.send({
      to,
      ...renderMail(digest),
      messageId: notificationMessageId(first._id, this.deps.sender.from),
      headers: automatedHeaders(first._id),
      attachments,
    });
  }
}
