import { Document, deserialize, serialize } from 'bson';
import {
  FLAG_CHECKSUM_PRESENT,
  FLAG_MORE_TO_COME,
  MessageSplitter,
  OP_MSG,
  OP_QUERY,
  OP_REPLY,
  decodeMessage,
  encodeOpMsg,
  encodeOpReply,
} from '../../src/wire';

function header(length: number, requestId: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opMsg(flags: number, body: Document, sequences: Array<[string, Document[]]> = [], checksum = false): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(serialize(body))];
  for (const [id, docs] of sequences) {
    const payload = Buffer.concat([Buffer.from(`${id}\0`), ...docs.map((d) => Buffer.from(serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  const flagBuf = Buffer.alloc(4);
  flagBuf.writeUInt32LE(flags | (checksum ? FLAG_CHECKSUM_PRESENT : 0));
  const tail = checksum ? Buffer.alloc(4, 0xab) : Buffer.alloc(0);
  const rest = Buffer.concat([flagBuf, ...parts, tail]);
  return Buffer.concat([header(16 + rest.length, 7, OP_MSG), rest]);
}

describe('decodeMessage', () => {
  it('merges kind 1 document sequences into the command under their identifier', () => {
    const req = decodeMessage(opMsg(0, { insert: 'c', $db: 'd' }, [['documents', [{ a: 1 }, { a: 2 }]]]));
    expect(req.db).toBe('d');
    expect(req.command.documents).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reports moreToCome when the client wants no reply', () => {
    expect(decodeMessage(opMsg(FLAG_MORE_TO_COME, { ping: 1, $db: 'admin' })).moreToCome).toBe(true);
    expect(decodeMessage(opMsg(0, { ping: 1, $db: 'admin' })).moreToCome).toBe(false);
  });

  it('ignores the trailing checksum instead of reading it as a section', () => {
    expect(decodeMessage(opMsg(0, { ping: 1, $db: 'admin' }, [], true)).command).toEqual({ ping: 1, $db: 'admin' });
  });

  it('reads a legacy OP_QUERY command on admin.$cmd', () => {
    const rest = Buffer.concat([
      Buffer.alloc(4),
      Buffer.from('admin.$cmd\0'),
      Buffer.alloc(8),
      Buffer.from(serialize({ ismaster: 1 })),
    ]);
    const req = decodeMessage(Buffer.concat([header(16 + rest.length, 3, OP_QUERY), rest]));
    expect(req).toMatchObject({ opCode: OP_QUERY, db: 'admin', command: { ismaster: 1 }, requestId: 3 });
  });

  it('refuses OP_COMPRESSED, which the engine never advertises', () => {
    expect(() => decodeMessage(Buffer.concat([header(20, 1, 2012), Buffer.alloc(4)]))).toThrow(/opcode 2012/);
  });
});

describe('reply encoders', () => {
  it('answers OP_QUERY with an OP_REPLY carrying one document', () => {
    const buf = encodeOpReply({ ok: 1 }, 9, 3);
    expect(buf.readInt32LE(0)).toBe(buf.length);
    expect(buf.readInt32LE(8)).toBe(3);
    expect(buf.readInt32LE(12)).toBe(OP_REPLY);
    expect(buf.readInt32LE(32)).toBe(1);
    expect(deserialize(buf.subarray(36))).toEqual({ ok: 1 });
  });

  it('answers OP_MSG with flags 0 and one kind 0 section', () => {
    const buf = encodeOpMsg({ ok: 1 }, 9, 4);
    expect(buf.readInt32LE(12)).toBe(OP_MSG);
    expect(buf.readUInt32LE(16)).toBe(0);
    expect(buf[20]).toBe(0);
    expect(deserialize(buf.subarray(21))).toEqual({ ok: 1 });
  });
});

describe('MessageSplitter', () => {
  it('emits whole messages however the stream is chunked', () => {
    const a = opMsg(0, { ping: 1, $db: 'admin' });
    const b = opMsg(0, { hello: 1, $db: 'admin' });
    const stream = Buffer.concat([a, b]);
    const splitter = new MessageSplitter();
    const out = [
      ...splitter.push(stream.subarray(0, 5)),
      ...splitter.push(stream.subarray(5, a.length + 3)),
      ...splitter.push(stream.subarray(a.length + 3)),
    ];
    expect(out.map((m) => m.length)).toEqual([a.length, b.length]);
  });

  it('rejects a length prefix no message can have', () => {
    const bad = Buffer.alloc(8);
    bad.writeInt32LE(3);
    expect(() => new MessageSplitter().push(bad)).toThrow(/invalid message length/);
  });
});
