import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { decode as decodeUtf7 } from 'utf7';

/**
 * Charsets mailparser leaves undecoded. It refuses UTF-7 on purpose (a way to smuggle markup
 * past HTML filters); intake keeps only plain text, so decoding it here is safe. It reads text
 * without a declared charset as UTF-8; old Spanish mail clients send such text in Latin-1 /
 * Windows-1252, which then shows as U+FFFD.
 */

const UTF7_CHARSET = /charset\s*=\s*"?(?:unicode-1-1-)?utf-?7\b/i;
const UTF7_WORD = /=\?(?:unicode-1-1-)?utf-?7(?:\*[^?]*)?\?[qb]\?/i;

/** Whether a part of the source declares UTF-7 for its text. */
export function declaresUtf7(source: Buffer): boolean {
  return UTF7_CHARSET.test(source.toString('latin1'));
}

/** Whether a raw header value holds a UTF-7 encoded word (`=?utf-7?Q?Fr+APY-sche?=`). */
export function hasUtf7Word(rawHeader: string): boolean {
  return UTF7_WORD.test(rawHeader);
}

/**
 * UTF-7 runs (`+APY-`) in text mailparser passed through as ASCII. Only for text declared
 * UTF-7, where a literal `+` is itself written `+-`.
 */
export function decodeUtf7Text(text: string): string {
  return decodeUtf7(text);
}

// Node's own TextDecoder('windows-1252') decodes as ISO-8859-1 (0x93 stays U+0093).
const cp1252 = (byte: number): string => iconv.decode(Buffer.of(byte), 'windows-1252');
/** UTF-8 bytes of each Windows-1252 character 0x80–0xFF. */
const HIGH = Array.from({ length: 128 }, (_, i) => Buffer.from(cp1252(0x80 + i), 'utf8'));

/** Length of the valid UTF-8 sequence starting at `i`, or 0. */
function utf8SequenceAt(bytes: Buffer, i: number): number {
  const b = bytes[i]!;
  const n = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 0;
  if (n === 0 || i + n > bytes.length) return 0;
  for (let k = 1; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  return isUtf8(bytes.subarray(i, i + n)) ? n : 0;
}

/**
 * The source with every byte that is not part of valid UTF-8 read as Windows-1252 (a superset
 * of Latin-1 for text) and written as UTF-8; valid UTF-8 is left as it is. `undefined` when
 * the source is valid UTF-8 already, so nothing needs repairing.
 */
export function repairUndeclared8bit(source: Buffer): Buffer | undefined {
  if (isUtf8(source)) return undefined;
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < source.length;) {
    const b = source[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    const n = utf8SequenceAt(source, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out.push(source.subarray(start, i), HIGH[b - 0x80]!);
    i += 1;
    start = i;
  }
  out.push(source.subarray(start));
  return Buffer.concat(out);
}

/**
 * C1 control characters (U+0080–U+009F) as the Windows-1252 characters they stand for: text
 * labelled (or defaulted to) ISO-8859-1 is almost always Windows-1252, where those bytes are
 * curly quotes, dashes and the euro sign, as browsers also read it.
 */
export function c1AsWindows1252(text: string): string {
  return /[\u0080-\u009f]/.test(text) ? text.replace(/[\u0080-\u009f]/g, (c) => cp1252(c.charCodeAt(0))) : text;
}
