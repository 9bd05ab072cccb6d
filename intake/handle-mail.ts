import type { ObjectId } from 'mongodb';
import { AppError } from '../services/errors';
import type { DirectoryReader } from '../services/directory/directory-store';
import type { Person } from '../services/directory/schema';
import type { OrderStore } from '../services/orders/order-store';
import type { OrderServices } from '../services/orders/order-services';
import type { AttachmentMeta, HistoryEntry, ServiceOrder } from '../services/orders/types';
import { reportOrder } from '../services/orders/report-order';
import { addOrderComment } from '../services/orders/add-order-comment';
import { confirmValidation } from '../services/orders/confirm-validation';
import { rejectValidation } from '../services/orders/reject-validation';
import { reopenOrder } from '../services/orders/reopen-order';
import { reopenWindow } from '../services/orders/reopen-window';
import {
  closedOrderAnswer,
  myReportsAnswer,
  reopenedAnswer,
  statusAnswer,
  statusUnknownAnswer,
  unknownColleagueAnswer,
} from '../services/mail/answers';
import { canSeeOrder } from '../services/orders/order-visibility';
import { listMyReports } from '../services/orders/list-work';
import { statusQuery, type StatusQuery } from './status-query';
import type { RenderedMail } from '../services/mail/templates';
import { answerMail } from './answer-mail';
import { automatedHeaders, FOLIO_TAG } from '../services/mail/headers';
import type { MailSender } from '../services/mail/mail-sender';
import { renderRefusal } from '../services/mail/templates';
import type { MailAuthenticator } from './authenticate';
import { bouncedReference, classifyAutomated, mayAnswer } from './hygiene';
import { IntakeStore, MailFolder, MailOutcome, stableObjectId } from './intake-store';
import type { IncomingMail } from './parse-mail';
import { guessEquipment, validationAnswer } from './reply-intent';

import { FILE_LIMITS } from '../services/files/attachment-files';

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

export const DEFAULT_RULES: Omit<IntakeRules, 'ownAddresses' | 'allowedDomains' | 'timeZone'> = {
  maxPerSenderPerHour: 30,
  maxAttachmentBytes: FILE_LIMITS.maxBytes,
  maxAttachments: FILE_LIMITS.maxFiles,
  refusalWindowMs: 24 * 3600_000,
};

/** The order rules configuration chose come with the stores, as they do for the bot. */
export interface HandleMailDeps extends Pick<
  OrderServices,
  'policy' | 'analystRouting' | 'assets' | 'assetOrders' | 'inventoryPattern'
> {
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
async function recordBounce(deps: HandleMailDeps, mail: IncomingMail, why: string): Promise<Disposition> {
  const ref = bouncedReference(mail);
  if (!ref || ref.startsWith('reply:'))
    return { outcome: 'bounce', folder: 'processed', reason: `bounce (${why}) of no notification of ours` };
  await deps.store.markNoticeBounced(ref);
  return { outcome: 'bounce', folder: 'processed', reason: `bounce (${why}) of notification ${ref}` };
}

/**
 * Mail from outside the served domains: one polite answer per sender and window, and none at
 * all to an address that must never be answered (RFC 3834: delivery software, abuse desks,
 * no-reply boxes, a null envelope sender).
 */
async function refuseOutsider(deps: HandleMailDeps, mail: IncomingMail, address: string): Promise<Disposition> {
  if (!mayAnswer(mail, deps.rules.ownAddresses))
    return { outcome: 'refused', folder: 'refused', reason: 'sender domain not served (an address never answered)' };
  const count = await deps.store.bump(`refusal:${address}`, deps.rules.refusalWindowMs);
  if (count === 1 && deps.sender) {
    const reply = renderRefusal(mail.subject || 'su mensaje');
    await deps.sender.send({
      to: address,
      ...reply,
      messageId: `<r.${stableObjectId(mail.key).toHexString()}@${deps.sender.from.split('@')[1]}>`,
      ...(mail.messageId ? { inReplyTo: mail.messageId, references: [mail.messageId] } : {}),
      headers: automatedHeaders(`reply:${mail.key}`, 'auto-replied'),
    });
  }
  return {
    outcome: 'refused',
    folder: 'refused',
    reason: `sender domain not served${count > 1 ? ' (answer already sent)' : ''}`,
  };
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

/** A requester's yes/no to a validation request: only from the order's requester, while it awaits one. */
function validationIntent(mail: IncomingMail, order: ServiceOrder, person: Person): 'yes' | 'no' | undefined {
  if (order.status !== 'validation' || order.requester.personId !== person.id) return undefined;
  return validationAnswer(mail.newText);
}

/** What became of a mail's attachments under the size and count limits. */
interface MailFiles {
  /** Stored in GridFS, each with its id. */
  stored: AttachmentMeta[];
  /** Received but not stored, each with why (`notStored`). */
  skipped: AttachmentMeta[];
  /** One line per skipped file, for the text people read (the description, the comment). */
  skippedText: string[];
}

/**
 * Stores a mail's attachments within the limits, each under an id derived from the mail's
 * key and its position, so a retried mail replaces its own partial copy instead of adding one.
 */
async function storeAttachments(deps: HandleMailDeps, mail: IncomingMail): Promise<MailFiles> {
  const files: MailFiles = { stored: [], skipped: [], skippedText: [] };
  for (const [i, a] of mail.attachments.entries()) {
    const meta = { filename: a.filename, contentType: a.contentType, size: a.size };
    if (a.size > deps.rules.maxAttachmentBytes) {
      files.skipped.push({ ...meta, notStored: 'too_large' });
      files.skippedText.push(`${a.filename} (${Math.ceil(a.size / 1024)} KB, excede el límite)`);
    } else if (files.stored.length >= deps.rules.maxAttachments) {
      files.skipped.push({ ...meta, notStored: 'too_many' });
      files.skippedText.push(`${a.filename} (excede el número de adjuntos)`);
    } else {
      files.stored.push(await deps.store.storeAttachment(`${mail.key}#${i}`, a));
    }
  }
  return files;
}

const notStoredLine = (files: MailFiles) => `Adjuntos no guardados: ${files.skippedText.join('; ')}`;
const notStoredReason = (files: MailFiles) => `attachments not stored: ${files.skippedText.join('; ')}`;

/** A use case's refusal (the mail is held with its reason), as opposed to an outage or a race, which are retried. */
const isRefusal = (error: unknown): error is AppError =>
  AppError.is(error) && error.code !== 'UPSTREAM' && error.code !== 'CONFLICT';

/** The outcome an earlier pass of the same mail had, read from the history entry it appended. */
const OUTCOME_OF_ENTRY: Partial<Record<HistoryEntry['action'], MailOutcome>> = {
  confirm: 'validation_confirmed',
  reject: 'validation_rejected',
  comment: 'comment_added',
};

/**
 * A reply about an existing order: the requester's yes/no to a validation request (which
 * needs passed sender authentication), or else a comment. Either way the mail's attachments
 * are stored first, within the limits, and named on the history entry the reply appends,
 * over-the-limit ones as not stored with why. A mail an earlier pass already appended (a
 * re-import after a crash) stores and appends nothing. When the use case refuses the reply,
 * the files just stored are removed again: the held mail keeps its own copy of them.
 */
async function appendReply(
  deps: HandleMailDeps,
  mail: IncomingMail,
  order: ServiceOrder,
  person: Person,
  authPassed: boolean,
): Promise<Disposition> {
  const earlier = order.history.find((h) => h.sourceId === mail.key);
  if (earlier) {
    if (mail.messageId && earlier.action === 'comment')
      await deps.store.rememberRef(mail.messageId, order._id, 'received');
    return {
      outcome: OUTCOME_OF_ENTRY[earlier.action] ?? 'comment_added',
      folder: 'processed',
      orderId: order._id,
      reason: 'already appended by an earlier pass',
    };
  }
  const answer = validationIntent(mail, order, person);
  if (answer && !authPassed)
    return quarantine(`validation answer for ${order.folio} without passing sender authentication`);
  const files = await storeAttachments(deps, mail);
  const request = {
    orderId: order._id.toHexString(),
    actorId: person.id,
    channel: 'email' as const,
    sourceId: mail.key,
    attachments: [...files.stored, ...files.skipped],
  };
  const tdeps = {
    orders: deps.orders,
    directory: deps.directory,
    now: deps.now,
    policy: deps.policy,
    analystRouting: deps.analystRouting,
  };
  let outcome: MailOutcome;
  try {
    if (answer === 'yes') {
      await confirmValidation(tdeps, request);
      outcome = 'validation_confirmed';
    } else if (answer === 'no') {
      await rejectValidation(tdeps, { ...request, reason: mail.newText.slice(0, 2000) });
      outcome = 'validation_rejected';
    } else {
      const said = mail.newText || mail.text || mail.subject || files.stored.map((f) => f.filename).join(', ');
      const text = files.skipped.length ? `${said.slice(0, 4000)}\n\n${notStoredLine(files)}` : said;
      await addOrderComment(tdeps, { ...request, text: text.slice(0, 5000) });
      outcome = 'comment_added';
    }
  } catch (error) {
    if (isRefusal(error)) await deps.store.discardAttachments(files.stored.map((f) => f.fileId!));
    throw error;
  }
  if (outcome === 'comment_added' && mail.messageId)
    await deps.store.rememberRef(mail.messageId, order._id, 'received');
  return {
    outcome,
    folder: 'processed',
    orderId: order._id,
    ...(files.skipped.length ? { reason: notStoredReason(files) } : {}),
  };
}

/** Answers `mail` when there is a sender and its author may be answered (never automated mail). */
async function answer(deps: HandleMailDeps, mail: IncomingMail, kind: string, words: RenderedMail): Promise<void> {
  if (!deps.sender || !mail.from || !mayAnswer(mail, deps.rules.ownAddresses)) return;
  await answerMail(deps.sender, mail, mail.from.address, kind, words);
}

/**
 * A reply from the requester about their closed order: «sigue fallando» (or any «no …»
 * answer) within the reopening window reopens it (which needs passed sender
 * authentication, as a validation answer does); later, the same words make a new report
 * linked to the closed order (mail has no button to offer one), whose receipt says why it is
 * new. Anything else is answered with how to go on and filed, never held unanswered.
 */
async function replyToClosed(
  deps: HandleMailDeps,
  mail: IncomingMail,
  order: ServiceOrder,
  person: Person,
  authPassed: boolean,
): Promise<Disposition> {
  const orderId = order._id;
  if (order.history.some((h) => h.sourceId === mail.key))
    return { outcome: 'order_reopened', folder: 'processed', orderId, reason: 'already applied by an earlier pass' };
  const now = (deps.now ?? (() => new Date()))();
  const window = reopenWindow(order, await deps.directory.centre(order.centreId), now);
  const stillFailing = validationAnswer(mail.newText) === 'no';
  if (stillFailing && window === 'open') {
    if (!authPassed) return quarantine(`reopening of ${order.folio} without passing sender authentication`);
    const after = await reopenOrder(
      {
        orders: deps.orders,
        directory: deps.directory,
        now: deps.now,
        policy: deps.policy,
        analystRouting: deps.analystRouting,
      },
      {
        orderId: orderId.toHexString(),
        actorId: person.id,
        channel: 'email',
        sourceId: mail.key,
        reason: (mail.newText.trim() || 'Sigue fallando').slice(0, 2000).padEnd(3, '.'),
      },
    );
    if (mail.messageId) await deps.store.rememberRef(mail.messageId, orderId, 'received');
    await answer(deps, mail, 'reopened', reopenedAnswer(after, mail.subject));
    return { outcome: 'order_reopened', folder: 'processed', orderId };
  }
  if (stillFailing) {
    // Too late to reopen: the mail becomes a new report linked to the closed order, and its
    // receipt tells the requester why it is a new one.
    const created = await createOrder(deps, mail, person, order);
    return { ...created, reason: `new report related to ${order.folio}, closed before the reopening window` };
  }
  await answer(deps, mail, 'closed', closedOrderAnswer(order, mail.subject, window === 'open'));
  return { outcome: 'answered', folder: 'processed', orderId, reason: `reply to closed order ${order.folio}` };
}

/** At most one answer to an unknown colleague per address in this window. */
const UNKNOWN_ANSWER_WINDOW_MS = 24 * 3600_000;

/**
 * A colleague inside a served domain whom the directory does not know: the mail is held for
 * release once they are registered, and they learn how to be registered, once a day per
 * address and never when the mail is not one to answer (RFC 3834).
 */
async function holdUnknownColleague(deps: HandleMailDeps, mail: IncomingMail, address: string): Promise<Disposition> {
  const held = `sender ${address} not in the directory`;
  if (!deps.sender || !mayAnswer(mail, deps.rules.ownAddresses)) return quarantine(held);
  if ((await deps.store.bump(`unknown:${address}`, UNKNOWN_ANSWER_WINDOW_MS)) > 1)
    return quarantine(`${held} (answer already sent)`);
  await answer(deps, mail, 'unknown', unknownColleagueAnswer(mail.subject));
  return quarantine(`${held} (told how to be registered)`);
}

/** Open reports listed in an answer to «mis reportes». */
const MY_REPORTS_SHOWN = 20;

/**
 * A question by mail (`estado <folio>`, `mis reportes`) is answered, threaded, and makes no
 * order. An order is shown only to whom `canSeeOrder` allows; anyone else reads the same
 * words as for a folio that does not exist.
 */
async function answerQuery(
  deps: HandleMailDeps,
  mail: IncomingMail,
  person: Person,
  query: StatusQuery,
): Promise<Disposition> {
  if (query.kind === 'mine') {
    const page = await listMyReports(deps, { requesterId: person.id, pageSize: MY_REPORTS_SHOWN });
    await answer(deps, mail, 'status', myReportsAnswer(page.items, page.total, mail.subject));
    return { outcome: 'answered', folder: 'processed', reason: `listed ${page.total} open reports` };
  }
  const order = await deps.orders.findByFolio(query.folio);
  const visible = order && canSeeOrder({ person }, order);
  await answer(
    deps,
    mail,
    'status',
    visible ? statusAnswer(order, mail.subject, deps.rules.timeZone) : statusUnknownAnswer(query.folio, mail.subject),
  );
  return visible
    ? { outcome: 'answered', folder: 'processed', orderId: order._id, reason: `status of ${query.folio}` }
    : {
        outcome: 'answered',
        folder: 'processed',
        reason: `status of ${query.folio} not shown (absent or not visible)`,
      };
}

/**
 * A new order from a mail. With `related` (a closed order the requester says still fails,
 * too late to reopen), the order is linked to it and describes the same equipment and place;
 * its description is what the reply says, without the quoted closure.
 */
/** The equipment of a related report: the earlier order's, as the register or the staff left it. */
function relatedEquipment(order: ServiceOrder) {
  const { type, location, inventoryNumber } = order.equipment;
  return { type, ...(location ? { location } : {}), ...(inventoryNumber ? { inventoryNumber } : {}) };
}

async function createOrder(
  deps: HandleMailDeps,
  mail: IncomingMail,
  person: Person,
  related?: ServiceOrder,
): Promise<Disposition> {
  const orderId = stableObjectId(`order:${mail.key}`);
  const existing = await deps.orders.findById(orderId);
  if (!existing) {
    const files = await storeAttachments(deps, mail);
    // A new report keeps what it quotes or forwards: that is often the report itself.
    const body = related ? mail.newText || mail.text : mail.reportText || mail.text;
    const parts = [related ? '' : mail.subject, body, files.skipped.length ? notStoredLine(files) : ''].filter(Boolean);
    const description = parts.join('\n\n').slice(0, 5000).padEnd(3, '.');
    await reportOrder(
      {
        orders: deps.orders,
        directory: deps.directory,
        now: deps.now,
        timeZone: deps.rules.timeZone,
        analystRouting: deps.analystRouting,
        assets: deps.assets,
        assetOrders: deps.assetOrders,
        inventoryPattern: deps.inventoryPattern,
      },
      {
        channel: 'email',
        orderId: orderId.toHexString(),
        requesterId: person.id,
        centreId: related?.centreId ?? person.centreIds[0],
        equipment: related ? relatedEquipment(related) : { type: guessEquipment(`${mail.subject} ${body}`) },
        description,
        attachments: files.stored,
        ...(related ? { relatedTo: related.folio } : {}),
      },
    );
    if (files.skipped.length) {
      if (mail.messageId) await deps.store.rememberRef(mail.messageId, orderId, 'received');
      return { outcome: 'order_created', folder: 'processed', orderId, reason: notStoredReason(files) };
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
 * then References/In-Reply-To) is a validation answer or a comment, with its attachments
 * stored and named on the history entry; anything else from a known person is a new order.
 * Every effect is idempotent on the mail's duplicate key, so a mail processed again after a
 * crash changes nothing twice. Refusals by the use cases (AppError other than UPSTREAM and
 * CONFLICT) hold the mail with the reason.
 */
export async function handleMail(deps: HandleMailDeps, mail: IncomingMail): Promise<Disposition> {
  const automated = classifyAutomated(mail, deps.rules.ownAddresses);
  if (automated?.kind === 'bounce') return recordBounce(deps, mail, automated.why);
  if (automated) return { outcome: 'automated', folder: 'processed', reason: `${automated.kind}: ${automated.why}` };
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
  if (!person) return holdUnknownColleague(deps, mail, address);
  try {
    const query = statusQuery(mail.subject, mail.newText || mail.text);
    if (query) return await answerQuery(deps, mail, person, query);
    const order = await findOrder(deps, mail);
    if (!order) return await createOrder(deps, mail, person);
    if (order.status === 'closed' && order.requester.personId === person.id)
      return await replyToClosed(deps, mail, order, person, verdict === 'pass');
    return await appendReply(deps, mail, order, person, verdict === 'pass');
  } catch (error) {
    if (isRefusal(error)) return quarantine(`${error.code}: ${error.message}`);
    throw error;
  }
}
