import { createHash } from 'node:crypto';
import { convert as htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type Attachment, type HeaderValue, type ParsedMail } from 'mailparser';
import { c1AsWindows1252, declaresUtf7, decodeUtf7Text, hasUtf7Word, repairUndeclared8bit } from './charsets';
import { unpackTnef } from './tnef';
import { trimReply, trimSignature } from './trim-reply';
import { SAFE_CONTENT_TYPE, safeContentType, safeFileName } from '../services/files/sanitise';

export interface MailAttachment {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

/** What intake needs from one mail, independent of the parser. */
export interface IncomingMail {
  /** Duplicate key: the Message-ID, or a hash of the source when there is none. */
  key: string;
  messageId?: string;
  from?: { address: string; name: string };
  to: string[];
  subject: string;
  /** References then In-Reply-To, in order, angle brackets kept. */
  references: string[];
  /** Whole text (from the plain part, or the HTML part turned into text). */
  text: string;
  /** A new report's text: the signature removed, forwarded and quoted content kept. */
  reportText: string;
  /** The new part of a reply to an order: quoted text and signature removed. */
  newText: string;
  /** Every part that is not the mail's text: files, attached messages, images, invitations. */
  attachments: MailAttachment[];
  /** Lower-cased header name → raw values (unfolded), for hygiene and authentication checks. */
  headers: Map<string, string[]>;
  contentType: string;
  /** `report-type` parameter of a multipart/report, if any. */
  reportType?: string;
  /** Content types of the mail's non-text parts (report parts included), lower-cased. */
  partTypes: string[];
  /** The envelope sender from Return-Path: `''` for the null sender `<>`; undefined when absent. */
  returnPath?: string;
  /** The raw source, for authentication and for finding our own header in bounces. */
  source: Buffer;
}

export function contentKey(source: Buffer): string {
  return `sha256:${createHash('sha256').update(source).digest('hex')}`;
}

function firstAddress(
  value: AddressObject | AddressObject[] | undefined,
): { address: string; name: string } | undefined {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  for (const group of list) {
    for (const a of group.value) if (a.address) return { address: a.address.toLowerCase(), name: a.name || a.address };
  }
  return undefined;
}

function allAddresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((g) => g.value.flatMap((a) => (a.address ? [a.address.toLowerCase()] : [])));
}

function asList(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : value.split(/\s+/)).map((v) => v.trim()).filter(Boolean);
}

function contentTypeOf(value: HeaderValue | undefined): { type: string; reportType?: string } {
  if (value && typeof value === 'object' && 'value' in value) {
    const params = (value as { params?: Record<string, string> }).params ?? {};
    return { type: String(value.value).toLowerCase(), reportType: params['report-type']?.toLowerCase() };
  }
  return { type: typeof value === 'string' ? value.toLowerCase() : 'text/plain' };
}

function returnPathOf(headers: Map<string, string[]>): string | undefined {
  const value = headers.get('return-path')?.[0];
  if (value === undefined) return undefined;
  return /<\s*([^>]*?)\s*>/.exec(value)?.[1]?.toLowerCase() ?? value.trim().toLowerCase();
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml',
  'text/calendar': 'ics',
  'text/plain': 'txt',
  'text/html': 'html',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/rfc822-headers': 'txt',
  'message/delivery-status': 'txt',
  'message/disposition-notification': 'txt',
  'message/feedback-report': 'txt',
};

/** A name for every part: its own (without path or control characters), or one from its type. */
function nameOf(a: Attachment, type: string, position: number): string {
  const stem =
    type === 'message/rfc822'
      ? 'mensaje-adjunto'
      : type === 'text/calendar'
        ? 'invitacion'
        : type.startsWith('image/')
          ? 'imagen'
          : 'adjunto';
  return safeFileName(a.filename, `${stem}-${position}.${EXTENSIONS[type] ?? 'bin'}`);
}

const isTnef = (a: Attachment, type: string) =>
  type === 'application/ms-tnef' || type === 'application/vnd.ms-tnef' || /^winmail\.dat$/i.test(a.filename ?? '');

/**
 * Every part mailparser did not make the mail's text becomes a file: attached messages,
 * unnamed and inline images, meeting invitations, report parts. A TNEF `winmail.dat` is
 * unpacked into the files it carries; when it cannot be read, it is kept as it came.
 */
function filesOf(parsed: ParsedMail): MailAttachment[] {
  const files: MailAttachment[] = [];
  for (const a of parsed.attachments) {
    const content = Buffer.isBuffer(a.content) ? a.content : Buffer.from(a.content ?? '');
    const type = safeContentType(a.contentType);
    if (isTnef(a, type)) {
      try {
        const inside = unpackTnef(content);
        if (inside.length > 0) {
          for (const f of inside)
            files.push({
              filename: f.filename,
              contentType: SAFE_CONTENT_TYPE,
              size: f.content.length,
              content: f.content,
            });
          continue;
        }
      } catch {
        // Not readable as TNEF: the original is kept below.
      }
      files.push({
        filename: a.filename ? nameOf(a, type, files.length + 1) : 'winmail.dat',
        contentType: type,
        size: content.length,
        content,
      });
      continue;
    }
    files.push({ filename: nameOf(a, type, files.length + 1), contentType: type, size: content.length, content });
  }
  return files;
}

const PARSE_OPTIONS = { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, keepCidLinks: false } as const;

/** The text of a parsed mail; an HTML body inside multipart/related gets no text from mailparser. */
function textOf(parsed: ParsedMail): string {
  const raw =
    parsed.text ||
    (typeof parsed.html === 'string'
      ? htmlToText(parsed.html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] })
      : '');
  return c1AsWindows1252(raw)
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .trim();
}

/**
 * Parses a raw RFC 5322 source with mailparser: any declared charset (or encoded word) comes
 * out as JavaScript strings, UTF-7 included; text without a declared charset that is not
 * UTF-8 is read as Windows-1252 instead of showing U+FFFD; an HTML-only mail is turned into
 * text. Throws on a source mailparser cannot read.
 */
export async function parseMail(source: Buffer): Promise<IncomingMail> {
  const parsed = await simpleParser(source, PARSE_OPTIONS);
  const headers = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers.set(key.toLowerCase(), [...(headers.get(key.toLowerCase()) ?? []), value]);
  }
  let text = textOf(parsed);
  let subject = c1AsWindows1252(parsed.subject ?? '').trim();
  if (text.includes('\ufffd') || subject.includes('\ufffd')) {
    const repaired = repairUndeclared8bit(source);
    if (repaired) {
      const again = await simpleParser(repaired, PARSE_OPTIONS);
      const fixedText = textOf(again);
      const fixedSubject = c1AsWindows1252(again.subject ?? '').trim();
      if (text.includes('\ufffd') && !fixedText.includes('\ufffd')) text = fixedText;
      if (subject.includes('\ufffd') && !fixedSubject.includes('\ufffd')) subject = fixedSubject;
    }
  }
  if (hasUtf7Word(headers.get('subject')?.[0] ?? '')) subject = decodeUtf7Text(subject);
  if (declaresUtf7(source)) text = decodeUtf7Text(text);
  const { type, reportType } = contentTypeOf(parsed.headers.get('content-type'));
  const messageId = parsed.messageId?.trim() || undefined;
  const attachments = filesOf(parsed);
  return {
    key: messageId ? `mid:${messageId.toLowerCase()}` : contentKey(source),
    messageId,
    from: firstAddress(parsed.from),
    to: [...allAddresses(parsed.to), ...allAddresses(parsed.cc)],
    subject,
    references: [...asList(parsed.references), ...asList(parsed.inReplyTo)],
    text,
    reportText: trimSignature(text),
    newText: trimReply(text),
    attachments,
    headers,
    contentType: type,
    reportType,
    partTypes: parsed.attachments.map((a) => safeContentType(a.contentType)),
    returnPath: returnPathOf(headers),
    source,
  };
}
