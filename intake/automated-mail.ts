import { OUR_HEADER } from '../services/mail/headers';
import type { IncomingMail } from './parse-mail';

/**
 * Why a mail is automated and must never open an order, be added to one, or be answered
 * (RFC 3834): a delivery failure, an abuse complaint (ARF), a read receipt, an
 * out-of-office or other auto-reply, list or bulk mail, or our own mail coming back.
 */
export type AutomatedKind = 'bounce' | 'feedback_report' | 'read_receipt' | 'auto_reply' | 'bulk' | 'own';

export interface AutomatedVerdict {
  kind: AutomatedKind;
  /** Which rule matched, for the mail log. */
  why: string;
}

interface Rule {
  kind: AutomatedKind;
  why: string;
  test(mail: IncomingMail, ownAddresses: readonly string[]): boolean;
}

const header = (mail: IncomingMail, name: string): string | undefined => mail.headers.get(name)?.[0];
const has = (mail: IncomingMail, name: string): boolean => mail.headers.has(name);
const localPart = (mail: IncomingMail): string => mail.from?.address.split('@')[0] ?? '';
/** The top-level type and every part's type (mailparser lists report parts as attachments). */
const hasPart = (mail: IncomingMail, type: string): boolean =>
  mail.contentType === type || mail.partTypes.includes(type);
const report = (mail: IncomingMail, type: string): boolean =>
  mail.contentType === 'multipart/report' && mail.reportType === type;
/** A person forwarding a bounce or an auto-reply to the desk is reporting something. */
const forwarded = (mail: IncomingMail): boolean =>
  /^\s*(fwd?|rv|reenv(iado|iar)?|enc|tr|wg|pd)\s*:/i.test(mail.subject);
/** The first lines of the text, where delivery software states what happened. */
const opening = (mail: IncomingMail): string => mail.text.slice(0, 1500);

/** Senders that are delivery software, whatever the domain. */
const DAEMON_SENDER =
  /^(mailer-daemon|mail-daemon|postmaster|mailerdaemon|microsoftexchange[0-9a-f]*|mdaemon|mail-?delivery-?(system|subsystem)?|bounces?)$/i;
/** Addresses nobody reads: answering them only makes more automated mail. */
export const UNANSWERABLE_SENDER =
  /^(mailer-daemon|mail-daemon|postmaster|mailerdaemon|abuse|feedback(-?loop)?|fbl|arf|complaints?|bounces?|no-?reply|do-?not-?reply|donotreply|noreply-.*|.*-noreply|.*-no-reply|notifications?|auto-?(reply|responder|mailer)?)(\+.*)?$/i;

/** Subjects of delivery failures from Exim, Postfix, sendmail, qmail, Exchange (several languages), Gmail, Lotus Domino, Trend Micro, Apache James. */
const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliverable',
    'undelivered mail',
    'mail delivery (failed|failure)',
    'delivery status notification \\((failure|delay)\\)',
    'returned mail',
    'failure notice',
    'delivery failure',
    'message delivery failure',
    'mail could not be delivered',
    'delivery has failed',
    'error delivering mail',
    'warning: could not send message',
    'delivery notification: delivery has failed',
    'nondeliverable mail',
    'mail system error',
    'no se puede entregar',
    'no entregado',
    'mensaje no entregado',
    'error en la entrega',
    'notificaci[oó]n de estado de entrega',
    'entrega fallida',
    'no se pudo entregar',
    'n[aã]o (foi poss[ií]vel )?entreg',
    'n[aã]o entregue',
    'unzustellbar',
    'nicht zustellbar',
    'non remis',
    'non distribuable',
    'niedostarczalne',
    'niedostarczona',
    'nie mo[zż]na dostarczy[cć]',
  ]
    .map((s) => `(${s})`)
    .join('|'),
  'i',
);
/** Openings of bounce texts (checked only when the mail is not a person's forward). */
const BOUNCE_TEXT = new RegExp(
  [
    'this message was created automatically by mail delivery software',
    'this is the mail system at host',
    "i'm afraid i wasn't able to deliver",
    'this is the qmail-send program',
    'this is the james mail server',
    'the original message was received at',
    'your message .{0,200}was not delivered to',
    'mail could not be delivered',
    'delivery has failed to these recipients',
    'could not be delivered to one or more',
    'delivery to the following recipients? failed',
    'no se pudo entregar el mensaje',
    'el mensaje no se pudo entregar',
    'error al entregar',
    'your message could not be delivered',
  ]
    .map((s) => `(${s})`)
    .join('|'),
  'i',
);

/** Read-receipt subject prefixes Outlook and other clients write, by language. */
const RECEIPT_SUBJECT =
  /^\s*(le[ií]do|no le[ií]do|read|not read|gelesen|ungelesen|lu|non lu|lido|n[aã]o lido|odczytano|przeczytano|nieprzeczytane|letto|return receipt|acuse de recibo|confirmaci[oó]n de lectura)\s*:/i;

/** Out-of-office and auto-reply subjects: Spanish, English, Portuguese, Polish, German, French, Italian. */
const AUTO_REPLY_SUBJECT = new RegExp(
  `^\\s*(${[
    'respuesta autom[aá]tica',
    'fuera de (la )?oficina',
    'ausencia\\s*:',
    'ausente\\s*:',
    'de vacaciones\\s*:',
    'aviso de ausencia',
    'auto(matic)?[- ]?(reply|response)',
    'autoreply',
    'out of (the )?office',
    'away from (the )?office',
    'on vacation\\s*:',
    'vacation reply',
    'resposta autom[aá]tica',
    'aus[eê]ncia( tempor[aá]ria)?\\s*:',
    'fora do escrit[oó]rio',
    'ausente do escrit[oó]rio',
    'automatyczna odpowied[zź]',
    'odpowied[zź] automatyczna',
    'nieobecno[sś][cć]',
    'poza biurem',
    'automatische antwort',
    'abwesenheitsnotiz',
    'abwesend\\s*:',
    'nicht im b[uü]ro',
    'r[ée]ponse automatique',
    'absence du bureau',
    'absent(e)?\\s*:',
    "message d'absence",
    'risposta automatica',
    'fuori sede',
  ].join('|')})`,
  'i',
);

const BULK_PRECEDENCE = /^(bulk|junk|list|auto_reply|auto-reply)$/i;

/**
 * The rules, in order: the first that matches names the kind. Structure before words:
 * delivery and feedback reports and receipts are recognised by their MIME types, then by
 * the headers RFC 3834 and Exchange set, and only then by subjects and opening lines.
 * Bounces come first because they often also carry `Auto-Submitted: auto-replied`.
 */
export const RULES: readonly Rule[] = [
  { kind: 'bounce', why: 'multipart/report; report-type=delivery-status', test: (m) => report(m, 'delivery-status') },
  {
    kind: 'bounce',
    why: 'message/delivery-status part',
    test: (m) => hasPart(m, 'message/delivery-status') || hasPart(m, 'message/global-delivery-status'),
  },
  {
    kind: 'bounce',
    why: 'Exchange non-delivery report',
    test: (m) =>
      has(m, 'x-ms-exchange-message-is-ndr') && !/^\s*false\s*$/i.test(header(m, 'x-ms-exchange-message-is-ndr') ?? ''),
  },
  {
    kind: 'feedback_report',
    why: 'ARF abuse report (report-type=feedback-report)',
    test: (m) => report(m, 'feedback-report') || hasPart(m, 'message/feedback-report'),
  },
  {
    kind: 'read_receipt',
    why: 'read receipt (report-type=disposition-notification)',
    test: (m) => report(m, 'disposition-notification') || hasPart(m, 'message/disposition-notification'),
  },
  {
    kind: 'read_receipt',
    why: 'read receipt (Content-Class: urn:content-classes:MDN)',
    test: (m) => /urn:content-classes:mdn/i.test(header(m, 'content-class') ?? ''),
  },
  {
    kind: 'read_receipt',
    why: 'read receipt (Outlook subject)',
    test: (m) =>
      RECEIPT_SUBJECT.test(m.subject) &&
      ([...m.headers.keys()].some((k) => k.startsWith('x-ms-')) ||
        has(m, 'thread-index') ||
        m.reportType !== undefined),
  },
  { kind: 'bounce', why: 'sender is delivery software', test: (m) => DAEMON_SENDER.test(localPart(m)) },
  { kind: 'bounce', why: 'delivery failure subject', test: (m) => !forwarded(m) && BOUNCE_SUBJECT.test(m.subject) },
  { kind: 'bounce', why: 'delivery failure text', test: (m) => !forwarded(m) && BOUNCE_TEXT.test(opening(m)) },
  { kind: 'own', why: `carries ${OUR_HEADER}`, test: (m) => has(m, OUR_HEADER.toLowerCase()) },
  { kind: 'own', why: 'sent from our own address', test: (m, own) => Boolean(m.from && own.includes(m.from.address)) },
  {
    kind: 'auto_reply',
    why: 'Auto-Submitted',
    test: (m) => {
      const v = header(m, 'auto-submitted');
      return v !== undefined && !/^\s*no\b/i.test(v);
    },
  },
  {
    kind: 'auto_reply',
    why: 'X-Autoreply / X-Autorespond',
    test: (m) =>
      ['x-autoreply', 'x-autorespond', 'x-autogenerated', 'x-autoreply-from', 'x-mail-autoreply'].some((h) =>
        has(m, h),
      ),
  },
  {
    kind: 'auto_reply',
    why: 'X-Auto-Response-Suppress',
    test: (m) => {
      const v = header(m, 'x-auto-response-suppress');
      return v !== undefined && !/^\s*none\s*$/i.test(v);
    },
  },
  { kind: 'auto_reply', why: 'Exchange inbox rule loop', test: (m) => has(m, 'x-ms-exchange-inbox-rules-loop') },
  { kind: 'auto_reply', why: 'auto-reply subject', test: (m) => AUTO_REPLY_SUBJECT.test(m.subject) },
  {
    kind: 'bulk',
    why: 'Precedence: bulk/junk/list/auto_reply',
    test: (m) => BULK_PRECEDENCE.test((header(m, 'precedence') ?? '').trim()),
  },
  {
    kind: 'bulk',
    why: 'mailing list (List-Id / List-Unsubscribe)',
    test: (m) => has(m, 'list-id') || has(m, 'list-unsubscribe'),
  },
  { kind: 'bulk', why: 'no-reply sender', test: (m) => /^(no-?reply|do-?not-?reply|donotreply)/i.test(localPart(m)) },
  { kind: 'bounce', why: 'empty envelope sender (Return-Path: <>)', test: (m) => m.returnPath === '' },
];

/** `null`: a person wrote it. Otherwise the first matching rule's kind and reason. */
export function classifyAutomated(mail: IncomingMail, ownAddresses: readonly string[]): AutomatedVerdict | null {
  for (const rule of RULES) if (rule.test(mail, ownAddresses)) return { kind: rule.kind, why: rule.why };
  return null;
}

/**
 * Whether a mail may be answered at all (RFC 3834 §2): never automated mail, never a null
 * envelope sender, never the addresses of delivery software, abuse desks or no-reply boxes.
 */
export function mayAnswer(mail: IncomingMail, ownAddresses: readonly string[]): boolean {
  if (classifyAutomated(mail, ownAddresses)) return false;
  if (mail.returnPath === '') return false;
  return Boolean(mail.from) && !UNANSWERABLE_SENDER.test(localPart(mail));
}
