import type { Db, ObjectId } from 'mongodb';
import { AppError } from '../services/errors';
import type { DirectoryReader } from '../services/directory/directory-store';
import type { Person } from '../services/directory/schema';
import type { OrderStore } from '../services/orders/order-store';
import type { AttachmentMeta, ServiceOrder } from '../services/orders/types';
import { reportOrder } from '../services/orders/report-order';
import { addOrderComment } from '../services/orders/add-order-comment';
import { confirmValidation } from '../services/orders/confirm-validation';
import { rejectValidation } from '../services/orders/reject-validation';
import { automatedHeaders, FOLIO_TAG } from '../services/mail/headers';
import type { MailSender } from '../services/mail/mail-sender';
import { renderRefusal } from '../services/mail/templates';
import type { MailAuthenticator } from './authenticate';
import { automatedKind, bouncedReference } from './hygiene';
import { IntakeStore, MailFolder, MailOutcome, stableObjectId } from './intake-store';
import type { IncomingMail } from './parse-mail';
import { guessEquipment, validationAnswer } from './reply-intent';

export interface IntakeRules {
  /** Our own addresses (the desk mailbox, MAIL_FROM): mail from them is never acted on. */
  ownAddresses: string[];
  /** Sender domains served; mail from any other domain gets one polite answer and is refused. */
  allowedDomains: string[];
  maxPerSenderPerHour: number;
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** At most one polite answer per outside sender in this window. */
  refusalWindowMs: number;
  timeZone: string;
}

export const DEFAULT_RULES: Omit<IntakeRules, 'ownAddresses' | 'allowedDomains'> = {
  maxPerSenderPerHour: 30,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxAttachments: 10,
  refusalWindowMs: 24 * 3600_000,
  timeZone: 'America/Mexico_City',
};

export interface HandleMailDeps {
  db: Db;
  orders: OrderStore;
  directory: DirectoryReader;
  store: IntakeStore;
  auth: MailAuthenticator;
  /** For the polite refusal; without it outside mail is refused silently. */
  sender?: MailSender;
  rules: IntakeRules;
  now?: () => Date;
}

export interface Disposition {
  outcome: MailOutcome;
  folder: MailFolder;
  reason?: string;
  orderId?: ObjectId;
}

const quarantine = (reason: string): Disposition => ({ outcome: 'quarantined', folder: 'quarantine', reason });

/** A bounce of one of our notices marks that notice failed (it never reached the person). */
async function recordBounce(deps: HandleMailDeps, mail: IncomingMail): Promise<Disposition> {
  const ref = bouncedReference(mail);
  if (!ref || ref.startsWith('reply:')) return { outcome: 'bounce', folder: 'processed', reason: 'bounce of no notification of ours' };
  const now = new Date();
  await deps.db.collection<{ _id: string }>('notifications').updateOne(
    { _id: ref, state: { $ne: 'failed' } },
    { $set: { state: 'failed', failedAt: now, reason: 'bounced: the recipient server returned the mail', updatedAt: now, historyRecorded: false } },
  );
  return { outcome: 'bounce', folder: 'processed', reason: `bounce of notification ${ref}` };
}

async function refuseOutsider(deps: HandleMailDeps, mail: IncomingMail, address: string): Promise<Disposition> {
  const count = await deps.store.bump(`refusal:${address}`, deps.rules.refusalWindowMs);
  if (count === 1 && deps.sender) {
    const reply = renderRefusal(mail.subject || 'su mensaje');
    await deps.sender.send({
      to: address, ...reply,
      messageId: `<r.${stableObjectId(mail.key).toHexString()}@${deps.sender.from.split('@')[1]}>`,
      ...(mail.messageId ? { inReplyTo: mail.messageId, references: [mail.messageId] } : {}),
      headers: automatedHeaders(`reply:${mail.key}`),
    });
  }
  return { outcome: 'refused', folder: 'refused', reason: `sender domain not served${count > 1 ? ' (answer already sent)' : ''}` };
}

async function findOrder(deps: HandleMailDeps, mail: IncomingMail): Promise<ServiceOrder | null> {
  const folio = FOLIO_TAG.exec(mail.subject)?.[1];
  if (folio) {
    const byFolio = await deps.orders.findByFolio(folio.toUpperCase());
    if (byFolio) return byFolio;
  }
  const id = await deps.store.orderByRefs(mail.references);
  return id ? deps.orders.findById(id) : null;
}

/** A requester's yes/no to a validation request; needs the requester and passed authentication. */
async function answerValidation(deps: HandleMailDeps, mail: IncomingMail, order: ServiceOrder, person: Person, authPassed: boolean): Promise<Disposition | undefined> {
  if (order.status !== 'validation' || order.requester.personId !== person.id) return undefined;
  const answer = validationAnswer(mail.newText);
  if (!answer) return undefined;
  if (!authPassed) return quarantine(`validation answer for ${order.folio} without passing sender authentication`);
  const request = { orderId: order._id.toHexString(), actorId: person.id, channel: 'email' as const };
  const tdeps = { orders: deps.orders, directory: deps.directory, now: deps.now };
  if (answer === 'yes') {
    await confirmValidation(tdeps, request);
    return { outcome: 'validation_confirmed', folder: 'processed', orderId: order._id };
  }
  await rejectValidation(tdeps, { ...request, reason: mail.newText.slice(0, 2000) });
  return { outcome: 'validation_rejected', folder: 'processed', orderId: order._id };
}

async function storeAttachments(deps: HandleMailDeps, mail: IncomingMail): Promise<{ stored: AttachmentMeta[]; skipped: string[] }> {
  const stored: AttachmentMeta[] = [];
  const skipped: string[] = [];
  for (const [i, a] of mail.attachments.entries()) {
    if (a.size > deps.rules.maxAttachmentBytes) skipped.push(`${a.filename} (${Math.ceil(a.size / 1024)} KB, excede el límite)`);
    else if (stored.length >= deps.rules.maxAttachments) skipped.push(`${a.filename} (excede el número de adjuntos)`);
    else stored.push(await deps.store.storeAttachment(`${mail.key}#${i}`, a));
  }
  return { stored, skipped };
}

async function createOrder(deps: HandleMailDeps, mail: IncomingMail, person: Person): Promise<Disposition> {
  const orderId = stableObjectId(`order:${mail.key}`);
  const existing = await deps.orders.findById(orderId);
  if (!existing) {
    const { stored, skipped } = await storeAttachments(deps, mail);
    const body = mail.newText || mail.text;
    const parts = [mail.subject, body, skipped.length ? `Adjuntos no guardados: ${skipped.join('; ')}` : ''].filter(Boolean);
    const description = parts.join('\n\n').slice(0, 5000).padEnd(3, '.');
    await reportOrder(
      { orders: deps.orders, directory: deps.directory, now: deps.now, timeZone: deps.rules.timeZone },
      {
        channel: 'email', orderId: orderId.toHexString(), requesterId: person.id, centreId: person.centreIds[0],
        equipment: { type: guessEquipment(`${mail.subject} ${body}`) }, description, attachments: stored,
      },
    );
    if (skipped.length) {
      if (mail.messageId) await deps.store.rememberRef(mail.messageId, orderId, 'received');
      return { outcome: 'order_created', folder: 'processed', orderId, reason: `attachments not stored: ${skipped.join('; ')}` };
    }
  }
  if (mail.messageId) await deps.store.rememberRef(mail.messageId, orderId, 'received');
  return { outcome: 'order_created', folder: 'processed', orderId };
}

/**
 * What one mail does (STYLE #5: this decides and calls one use case; it never sets a
 * status). In order: automated mail (bounce, our own, auto-reply) is filed without a word;
 * outside domains get one polite answer; floods are held; a sender failing DMARC never acts
 * as the directory person; unknown senders are held for an analyst; a reply (folio tag,
 * then References/In-Reply-To) is a validation answer or a comment; anything else from a
 * known person is a new order. Every effect is idempotent on the mail's duplicate key, so a
 * mail processed again after a crash changes nothing twice. Refusals by the use cases
 * (AppError other than UPSTREAM) hold the mail with the reason.
 */
export async function handleMail(deps: HandleMailDeps, mail: IncomingMail): Promise<Disposition> {
  const kind = automatedKind(mail, deps.rules.ownAddresses);
  if (kind === 'bounce') return recordBounce(deps, mail);
  if (kind) return { outcome: 'automated', folder: 'processed', reason: kind };
  if (!mail.from) return quarantine('no sender address');
  const address = mail.from.address;
  const domain = address.split('@')[1] ?? '';
  if (!deps.rules.allowedDomains.includes(domain)) return refuseOutsider(deps, mail, address);
  const hour = Math.floor((deps.now ?? (() => new Date()))().getTime() / 3600_000);
  if ((await deps.store.bump(`sender:${address}:${hour}`, 2 * 3600_000)) > deps.rules.maxPerSenderPerHour) {
    return quarantine(`more than ${deps.rules.maxPerSenderPerHour} mails this hour from ${address}`);
  }
  const verdict = await deps.auth.verdict(mail);
  if (verdict === 'fail') return quarantine(`DMARC failed for ${domain}: held for an analyst`);
  const person = await deps.directory.personByEmail(address);
  if (!person) return quarantine(`sender ${address} not in the directory`);
  try {
    const order = await findOrder(deps, mail);
    if (!order) return await createOrder(deps, mail, person);
    const answered = await answerValidation(deps, mail, order, person, verdict === 'pass');
    if (answered) return answered;
    const text = mail.newText || mail.text || mail.subject;
    await addOrderComment({ orders: deps.orders, directory: deps.directory, now: deps.now }, {
      orderId: order._id.toHexString(), actorId: person.id, channel: 'email', text: text.slice(0, 5000), sourceId: mail.key,
    });
    if (mail.messageId) await deps.store.rememberRef(mail.messageId, order._id, 'received');
    return { outcome: 'comment_added', folder: 'processed', orderId: order._id };
  } catch (error) {
    if (AppError.is(error) && error.code !== 'UPSTREAM' && error.code !== 'CONFLICT') return quarantine(`${error.code}: ${error.message}`);
    throw error;
  }
}
