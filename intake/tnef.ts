/**
 * Files inside a TNEF `winmail.dat` (Outlook's "rich text" wrapper), read from the TNEF
 * attribute stream: a 4-byte signature, a 2-byte key, then attributes of
 * level (1) · id (4: type << 16 | name) · length (4) · data · checksum (2). Each attachment
 * starts with attAttachRendData; attAttachTitle names it and attAttachData holds its bytes.
 * The long file name, when Outlook gives one, is in the attachment's MAPI properties
 * (PR_ATTACH_LONG_FILENAME), which this reader does not decode: the 8.3 title is used.
 *
 * The npm package `node-tnef` was considered and not used: it redefines
 * `String.prototype.replaceAll` for the whole process, writes log lines to standard output
 * on every call, and copies the input byte by byte for each attribute.
 */

const SIGNATURE = 0x223e9f78;
const LEVEL_ATTACHMENT = 0x02;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_DATA = 0x800f;

export interface TnefFile {
  filename: string;
  content: Buffer;
}

/** Files in a TNEF stream; throws when the bytes are not a well-formed TNEF stream. */
export function unpackTnef(data: Buffer): TnefFile[] {
  if (data.length < 6 || data.readUInt32LE(0) !== SIGNATURE) throw new Error('not a TNEF stream (bad signature)');
  const files: Array<{ filename?: string; content?: Buffer }> = [];
  let offset = 6;
  while (offset < data.length) {
    if (offset + 9 > data.length) throw new Error(`TNEF attribute header cut short at byte ${offset}`);
    const level = data.readUInt8(offset);
    const name = data.readUInt16LE(offset + 1);
    const length = data.readUInt32LE(offset + 5);
    const start = offset + 9;
    const end = start + length;
    if (end + 2 > data.length) throw new Error(`TNEF attribute at byte ${offset} runs past the end`);
    const value = data.subarray(start, end);
    if (name === ATT_ATTACH_REND_DATA) files.push({});
    else if (level === LEVEL_ATTACHMENT && files.length > 0) {
      const file = files[files.length - 1]!;
      if (name === ATT_ATTACH_TITLE) file.filename = value.toString('latin1').replace(/\0+$/, '').trim();
      else if (name === ATT_ATTACH_DATA) file.content = Buffer.from(value);
    }
    offset = end + 2;
  }
  return files.flatMap((f, i) =>
    f.content ? [{ filename: f.filename || `adjunto-${i + 1}.bin`, content: f.content }] : [],
  );
}
