/**
 * MongoDB wire protocol framing: the subset a modern driver uses (OP_QUERY for the legacy
 * handshake, OP_MSG for everything else) and the two reply forms (OP_REPLY, OP_MSG).
 * Pure functions over Buffers so framing can be unit-tested without sockets.
 */
import { Document } from 'bson';
import { decodeTyped, serializeAny } from './values';
import { CommandError, ErrorCodes } from './errors';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const FLAG_CHECKSUM_PRESENT = 1 << 0;
export const FLAG_MORE_TO_COME = 1 << 1;

/** Largest message accepted; matches maxMessageSizeBytes announced in hello. */
export const MAX_MESSAGE_SIZE = 48_000_000;

/** One decoded request: the command document (document sequences already merged in). */
export interface WireRequest {
  requestId: number;
  opCode: number;
  /** Database from `$db` (OP_MSG) or from the collection name before `.$cmd` (OP_QUERY). */
  db: string;
  command: Document;
  /** moreToCome set by the client: it expects no reply. */
  moreToCome: boolean;
}

/**
 * Splits a byte stream into whole messages. Holds partial data until the length prefix is
 * satisfied; rejects lengths outside [16, MAX_MESSAGE_SIZE] because such a stream cannot be
 * resynchronised.
 */
export class MessageSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32LE(0);
      if (length < 16 || length > MAX_MESSAGE_SIZE) throw new Error(`invalid message length ${length}`);
      if (this.pending.length < length) break;
      out.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
    }
    return out;
  }
}

/** Decodes one whole message (header included). Throws CommandError for unsupported opcodes. */
export function decodeMessage(msg: Buffer): WireRequest {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_MSG) return decodeOpMsg(msg, requestId);
  if (opCode === OP_QUERY) return decodeOpQuery(msg, requestId);
  throw new CommandError(ErrorCodes.BadValue, `unsupported wire opcode ${opCode}`);
}

function decodeOpMsg(msg: Buffer, requestId: number): WireRequest {
  const flags = msg.readUInt32LE(16);
  const end = flags & FLAG_CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  let offset = 20;
  let command: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = msg[offset];
    offset += 1;
    if (kind === 0) {
      const size = msg.readInt32LE(offset);
      command = decodeTyped(msg.subarray(offset, offset + size));
      offset += size;
    } else if (kind === 1) {
      const size = msg.readInt32LE(offset);
      sequences.push(decodeSequence(msg.subarray(offset + 4, offset + size)));
      offset += size;
    } else {
      throw new CommandError(ErrorCodes.BadValue, `unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!command) throw new CommandError(ErrorCodes.BadValue, 'OP_MSG without a body section');
  for (const [id, docs] of sequences) {
    if (id in command) throw new CommandError(ErrorCodes.BadValue, `duplicate field ${id} in OP_MSG`);
    command[id] = docs;
  }
  const db = typeof command.$db === 'string' ? command.$db : 'admin';
  return { requestId, opCode: OP_MSG, db, command, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
}

function decodeSequence(body: Buffer): [string, Document[]] {
  const zero = body.indexOf(0);
  const id = body.toString('utf8', 0, zero);
  const docs: Document[] = [];
  let offset = zero + 1;
  while (offset < body.length) {
    const size = body.readInt32LE(offset);
    docs.push(decodeTyped(body.subarray(offset, offset + size)));
    offset += size;
  }
  return [id, docs];
}

function decodeOpQuery(msg: Buffer, requestId: number): WireRequest {
  const zero = msg.indexOf(0, 20);
  const fullName = msg.toString('utf8', 20, zero);
  const docStart = zero + 1 + 8;
  const size = msg.readInt32LE(docStart);
  let command = decodeTyped(msg.subarray(docStart, docStart + size));
  // Drivers wrap commands carrying a read preference as {$query: cmd, $readPreference}.
  if (command.$query && typeof command.$query === 'object') command = command.$query as Document;
  if (!fullName.endsWith('.$cmd')) {
    throw new CommandError(ErrorCodes.BadValue, 'OP_QUERY is only supported for commands on <db>.$cmd');
  }
  return { requestId, opCode: OP_QUERY, db: fullName.slice(0, -5), command, moreToCome: false };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** OP_MSG reply with a single kind-0 section and no flags. */
export function encodeOpMsg(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = serializeAny(reply);
  const prefix = Buffer.alloc(5); // flagBits (0) + section kind (0)
  const total = 16 + prefix.length + body.length;
  return Buffer.concat([header(total, requestId, responseTo, OP_MSG), prefix, body]);
}

/** OP_REPLY carrying one document, the answer to a legacy OP_QUERY command. */
export function encodeOpReply(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = serializeAny(reply);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (int64), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  const total = 16 + fields.length + body.length;
  return Buffer.concat([header(total, requestId, responseTo, OP_REPLY), fields, body]);
}
