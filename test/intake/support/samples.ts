import nodemailer from 'nodemailer';
import type { MailStack } from '../../support/mail-stack';
import { DESK } from './harness';

/**
 * Mails in the shapes real servers and clients write them, written for these tests. Each is
 * sent through Exim (SMTP) to the desk, so Dovecot stamps Return-Path from the envelope
 * sender, as it does in production.
 */
export interface Sample {
  name: string;
  envelopeFrom: string;
  lines: string[];
}

/** Sends a sample's source through SMTP with its envelope sender (`''`: the null sender `<>`). */
export async function sendSample(stack: MailStack, sample: Sample): Promise<void> {
  const transport = nodemailer.createTransport({ ...stack.smtp, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({
      envelope: { from: sample.envelopeFrom, to: [DESK.user] },
      raw: Buffer.from(sample.lines.join('\r\n') + '\r\n', 'latin1'),
    });
  } finally {
    transport.close();
  }
}

/** A source with raw bytes (8-bit text in a legacy charset) kept as they are. */
export function bytesSample(
  name: string,
  envelopeFrom: string,
  parts: Array<string | Buffer>,
): { name: string; envelopeFrom: string; raw: Buffer } {
  return {
    name,
    envelopeFrom,
    raw: Buffer.concat(
      parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/\r?\n/g, '\r\n'), 'utf8') : p)),
    ),
  };
}

export async function sendBytes(stack: MailStack, sample: { envelopeFrom: string; raw: Buffer }): Promise<void> {
  const transport = nodemailer.createTransport({ ...stack.smtp, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from: sample.envelopeFrom, to: [DESK.user] }, raw: sample.raw });
  } finally {
    transport.close();
  }
}

const DATE = 'Date: Tue, 03 Mar 2026 09:15:00 -0600';
const MIME = 'MIME-Version: 1.0';

/** The headers of a desk notice as a bounce or receipt quotes them. */
function quoted(folio: string): string[] {
  return [
    `From: ${DESK.user}`,
    'To: jose.pena@cjf.example.mx',
    `Subject: [${folio}] Reporte recibido`,
    'Message-ID: <n.1234@cjf.example.mx>',
  ];
}

/** Automated mail of every kind intake must set aside: none may become an order or be answered. */
export function automatedSamples(folio: string): Sample[] {
  const s = (name: string, envelopeFrom: string, lines: string[]): Sample => ({ name, envelopeFrom, lines });
  return [
    // --- bounces ---
    s('postfix top-level message/delivery-status', '', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: Estado de entrega',
      DATE,
      'Message-ID: <dsn-top@cjf.example.mx>',
      MIME,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.cjf.example.mx',
      '',
      'Final-Recipient: rfc822; juez@cjf.example.mx',
      'Action: failed',
      'Status: 5.2.2',
    ]),
    s('postfix multipart/report', '', [
      'From: MAILER-DAEMON@mx.cjf.example.mx (Mail Delivery System)',
      `To: ${DESK.user}`,
      'Subject: Undelivered Mail Returned to Sender',
      DATE,
      'Message-ID: <pf-1@mx.cjf.example.mx>',
      'Auto-Submitted: auto-replied',
      MIME,
      'Content-Type: multipart/report; report-type=delivery-status; boundary="PF.1"',
      '',
      '--PF.1',
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.cjf.example.mx.',
      '',
      "I'm sorry to have to inform you that your message could not",
      'be delivered to one or more recipients.',
      '',
      '--PF.1',
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.cjf.example.mx',
      '',
      'Final-Recipient: rfc822; x@cjf.example.mx',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--PF.1',
      'Content-Description: Undelivered Message Headers',
      'Content-Type: text/rfc822-headers',
      '',
      ...quoted(folio),
      '',
      '--PF.1--',
    ]),
    s('null envelope sender, nothing else', '', [
      'From: "Jose Pena" <jose.pena@cjf.example.mx>',
      `To: ${DESK.user}`,
      'Subject: Aviso del sistema',
      DATE,
      'Message-ID: <null-1@cjf.example.mx>',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'Aviso generado por el sistema de correo.',
    ]),
    s('Lotus Domino', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: DELIVERY FAILURE: User juez (juez@cjf.example.mx) not listed in Domino Directory',
      DATE,
      'Message-ID: <OF12AB34CD.56EF7890-ON86258A@cjf.example.mx>',
      'X-Mailer: Lotus Domino Release 9.0.1FP10',
      MIME,
      'Content-Type: text/plain; charset=US-ASCII',
      '',
      'Your message',
      '',
      `  Subject: [${folio}] Reporte recibido`,
      '',
      'was not delivered to:',
      '',
      '  juez@cjf.example.mx',
      '',
      'because:',
      '',
      '  User juez (juez@cjf.example.mx) not listed in Domino Directory',
    ]),
    s('Trend Micro', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: Mail could not be delivered',
      DATE,
      'Message-ID: <tm-1@cjf.example.mx>',
      MIME,
      'Content-Type: text/plain; charset="utf-8"',
      '',
      '******************** NOTE ********************',
      'The original message was received at Tue, 03 Mar 2026 09:10:00 -0600',
      'from mesa.cjf.example.mx [10.1.2.3]',
      '',
      '----- The following addresses had permanent fatal errors -----',
      '<juez@cjf.example.mx>',
    ]),
    s('Apache James', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      `Subject: Re: [${folio}] Reporte recibido`,
      DATE,
      'Message-ID: <james-1@cjf.example.mx>',
      MIME,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'Hi. This is the James mail server at mail.cjf.example.mx.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      "This is a permanent error; I've given up. Sorry it didn't work out.",
      '',
      'juez@cjf.example.mx',
      '550 - Requested action not taken: no such user here',
    ]),
    s('Exchange NDR (German)', '', [
      'From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@cjf.example.mx>',
      `To: ${DESK.user}`,
      `Subject: Unzustellbar: [${folio}] Reporte recibido`,
      DATE,
      'Message-ID: <ndr-de@cjf.example.mx>',
      'X-MS-Exchange-Message-Is-Ndr:',
      'Content-Language: de-DE',
      MIME,
      'Content-Type: text/plain; charset="utf-8"',
      '',
      'Ihre Nachricht hat folgende Empfänger nicht erreicht: juez@cjf.example.mx',
    ]),
    s('qmail', '', [
      'From: MAILER-DAEMON@correo.cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: failure notice',
      DATE,
      'Message-ID: <qm-1@correo.cjf.example.mx>',
      '',
      'Hi. This is the qmail-send program at correo.cjf.example.mx.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
    ]),
    s('Exim', '', [
      'From: Mail Delivery System <Mailer-Daemon@mx.cjf.example.mx>',
      `To: ${DESK.user}`,
      'Subject: Mail delivery failed: returning message to sender',
      DATE,
      'Message-ID: <E1ex-0001@mx.cjf.example.mx>',
      'Auto-Submitted: auto-replied',
      '',
      'This message was created automatically by mail delivery software.',
      '',
      'A message that you sent could not be delivered to one or more of its',
      'recipients. This is a permanent error.',
    ]),
    // --- ARF abuse complaints ---
    ...[
      ['feedback@arf.correo.example.org', 'abuse'],
      ['staff@fbl.example.net', 'fraud'],
      ['jose.pena@cjf.example.mx', 'other'],
    ].map(([from, type], i) =>
      s(`ARF ${type}`, from!, [
        `From: ${from}`,
        `To: ${DESK.user}`,
        `Subject: FW: [${folio}] Reporte recibido`,
        DATE,
        `Message-ID: <arf-${i}@example.org>`,
        MIME,
        `Content-Type: multipart/report; report-type=feedback-report; boundary="ARF${i}"`,
        '',
        `--ARF${i}`,
        'Content-Type: text/plain; charset="US-ASCII"',
        '',
        'This is an email abuse report for an email message received from IP 10.1.2.3.',
        '',
        `--ARF${i}`,
        'Content-Type: message/feedback-report',
        '',
        `Feedback-Type: ${type}`,
        'User-Agent: SomeGenerator/1.0',
        'Version: 1',
        '',
        `--ARF${i}`,
        'Content-Type: text/rfc822-headers',
        '',
        ...quoted(folio),
        '',
        `--ARF${i}--`,
      ]),
    ),
    // --- read receipts ---
    s('Thunderbird MDN', 'jose.pena@cjf.example.mx', [
      'From: José Peña <jose.pena@cjf.example.mx>',
      `To: ${DESK.user}`,
      `Subject: Return Receipt (displayed) - [${folio}] Reporte recibido`,
      DATE,
      'Message-ID: <mdn-tb@cjf.example.mx>',
      MIME,
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="MDN1"',
      '',
      '--MDN1',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'This is a Return Receipt for the mail that you sent.',
      '',
      '--MDN1',
      'Content-Type: message/disposition-notification; name="MDNPart2.txt"',
      '',
      'Reporting-UA: cjf.example.mx; Thunderbird',
      'Disposition: manual-action/MDN-sent-manually; displayed',
      '',
      '--MDN1--',
    ]),
    s('Outlook receipt «Leído:»', 'jose.pena@cjf.example.mx', [
      'From: José Peña <jose.pena@cjf.example.mx>',
      `To: ${DESK.user}`,
      `Subject: =?iso-8859-1?Q?Le=EDdo:_[${folio}]_Reporte_recibido?=`,
      DATE,
      'Message-ID: <rr-es@cjf.example.mx>',
      'Content-Class: urn:content-classes:MDN',
      'X-MS-Has-Attach:',
      'X-MS-TNEF-Correlator:',
      'Thread-Index: AQHZ1234',
      MIME,
      'Content-Type: text/plain; charset="iso-8859-1"',
      '',
      'Su mensaje fue leído el martes.',
    ]),
    s('Outlook receipt «Read:» from outside', 'fulano@externo.example.org', [
      'From: Fulano <fulano@externo.example.org>',
      `To: ${DESK.user}`,
      'Subject: Read: Cotización',
      DATE,
      'Message-ID: <rr-en@externo.example.org>',
      'X-MS-Exchange-Organization-SCL: -1',
      'Thread-Topic: Cotización',
      MIME,
      'Content-Type: text/plain; charset="us-ascii"',
      '',
      'Your message was read on Tuesday.',
    ]),
    // --- auto-replies ---
    s('Polish auto-reply, subject only', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      `Subject: =?utf-8?Q?Automatyczna_odpowied=C5=BA:_[${folio}]_Reporte_recibido?=`,
      DATE,
      'Message-ID: <pl-1@cjf.example.mx>',
      MIME,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Jestem poza biurem do poniedziałku.',
    ]),
    s('English out of office with X-Autoreply', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: Out of Office: printer',
      DATE,
      'Message-ID: <en-1@cjf.example.mx>',
      'X-Autoreply: yes',
      '',
      'Back on Monday.',
    ]),
    s('Portuguese with X-Autorespond', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: =?utf-8?Q?Resposta_autom=C3=A1tica:_impressora?=',
      DATE,
      'Message-ID: <pt-1@cjf.example.mx>',
      'X-Autorespond: true',
      '',
      'Estou fora do escritorio.',
    ]),
    s('German with Precedence: auto_reply', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: Abwesenheitsnotiz: Drucker',
      DATE,
      'Message-ID: <de-1@cjf.example.mx>',
      'Precedence: auto_reply',
      '',
      'Ich bin nicht im Buero.',
    ]),
    s('French with X-Auto-Response-Suppress', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: =?utf-8?Q?R=C3=A9ponse_automatique_:_imprimante?=',
      DATE,
      'Message-ID: <fr-1@cjf.example.mx>',
      'X-Auto-Response-Suppress: All',
      '',
      'Je suis absent.',
    ]),
    s('Spanish vacation, Auto-Submitted: auto-replied', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: Estoy de vacaciones',
      DATE,
      'Message-ID: <es-1@cjf.example.mx>',
      'Auto-Submitted: auto-replied (vacation)',
      '',
      'Regreso el lunes.',
    ]),
    s('Auto-Submitted: auto-notified from outside', 'avisos@externo.example.org', [
      'From: avisos@externo.example.org',
      `To: ${DESK.user}`,
      'Subject: Su cuenta',
      DATE,
      'Message-ID: <an-1@externo.example.org>',
      'Auto-Submitted: auto-notified',
      '',
      'Aviso.',
    ]),
    s('mailing list, List-Id', 'jose.pena@cjf.example.mx', [
      'From: jose.pena@cjf.example.mx',
      `To: ${DESK.user}`,
      'Subject: Boletín semanal',
      DATE,
      'Message-ID: <list-1@cjf.example.mx>',
      'List-Id: <boletin.cjf.example.mx>',
      '',
      'Noticias.',
    ]),
    s('newsletter, List-Unsubscribe and Precedence: bulk', 'boletin@externo.example.org', [
      'From: boletin@externo.example.org',
      `To: ${DESK.user}`,
      'Subject: Ofertas',
      DATE,
      'Message-ID: <list-2@externo.example.org>',
      'Precedence: bulk',
      'List-Unsubscribe: <mailto:baja@externo.example.org>',
      '',
      'Ofertas.',
    ]),
    s('no-reply sender outside', 'no-reply@externo.example.org', [
      'From: no-reply@externo.example.org',
      `To: ${DESK.user}`,
      'Subject: Confirmación de registro',
      DATE,
      'Message-ID: <nr-1@externo.example.org>',
      '',
      'Gracias por registrarse.',
    ]),
    s('postmaster outside, plain words', 'postmaster@externo.example.org', [
      'From: postmaster@externo.example.org',
      `To: ${DESK.user}`,
      'Subject: Consulta',
      DATE,
      'Message-ID: <pm-1@externo.example.org>',
      '',
      'Hola.',
    ]),
  ];
}

/** Mails from people that look a little automated: each must still become an order. */
export function personSamples(): Sample[] {
  return [
    {
      name: 'a person forwarding a bounce for help',
      envelopeFrom: 'jose.pena@cjf.example.mx',
      lines: [
        'From: jose.pena@cjf.example.mx',
        `To: ${DESK.user}`,
        'Subject: RV: Undeliverable: informe mensual',
        DATE,
        'Message-ID: <person-1@cjf.example.mx>',
        '',
        'Mi correo rebota desde ayer, ¿pueden revisar la computadora?',
        '',
        '-----Mensaje original-----',
        'De: Microsoft Outlook',
        'Delivery has failed to these recipients.',
      ],
    },
    {
      name: 'a subject that starts with a word of absence',
      envelopeFrom: 'jose.pena@cjf.example.mx',
      lines: [
        'From: jose.pena@cjf.example.mx',
        `To: ${DESK.user}`,
        'Subject: Ausencia de red en la sala 2',
        DATE,
        'Message-ID: <person-2@cjf.example.mx>',
        'X-Auto-Response-Suppress: None',
        '',
        'No hay internet en la sala 2.',
      ],
    },
  ];
}
