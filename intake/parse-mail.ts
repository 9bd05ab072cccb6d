import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';
import { trimReply } from './trim-reply';

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
  /** The new part of a reply: quoted text and signature removed. */
  newText: string;
  attachments: MailAttachment[];
  /** Lower-cased header name → raw values (unfolded), for hygiene and authentication checks. */
  headers: Map<string, string[]>;
  contentType: string;
  /** `report-type` parameter of a multipart/report, if any. */
  reportType?: string;
  /** The raw source, for authentication and for finding our own header in bounces. */
  source: Buffer;
}

export function contentKey(source: Buffer): string {
  return `sha256:${createHash('sha256').update(source).digest('hex')}`;
}

function firstAddress(value: AddressObject | AddressObject[] | undefined): { address: string; name: string } | undefined {
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

/**
 * Parses a raw RFC 5322 source with mailparser: any charset (declared or encoded-word) comes
 * out as JavaScript strings; an HTML-only mail is turned into text; attachments (a TNEF
 * `winmail.dat` included) are kept as they came. Throws on a source mailparser cannot read.
 */
export async function parseMail(source: Buffer): Promise<IncomingMail> {
  const parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, keepCidLinks: false });
  const headers = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    headers.set(key.toLowerCase(), [...(headers.get(key.toLowerCase()) ?? []), value]);
  }
  const text = (parsed.text ?? '').replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ').trim();
  const { type, reportType } = contentTypeOf(parsed.headers.get('content-type'));
  const messageId = parsed.messageId?.trim() || undefined;
  return {
    key: messageId ? `mid:${messageId.toLowerCase()}` : contentKey(source),
    messageId,
    from: firstAddress(parsed.from),
    to: [...allAddresses(parsed.to), ...allAddresses(parsed.cc)],
    subject: (parsed.subject ?? '').trim(),
    references: [...asList(parsed.references), ...asList(parsed.inReplyTo)],
    text,
    newText: trimReply(text),
    attachments: parsed.attachments
      .filter((a) => a.contentDisposition === 'attachment' || a.filename || a.contentType === 'application/ms-tnef')
      .map((a) => ({
        filename: a.filename || (a.contentType === 'application/ms-tnef' ? 'winmail.dat' : 'adjunto.bin'),
        contentType: a.contentType,
        size: a.size ?? a.content.length,
        content: a.content,
      })),
    headers,
    contentType: type,
    reportType,
    source,
  };
}
