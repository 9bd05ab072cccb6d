/**
 * Handshake and server-level commands. hello presents a one-member replica set (or a
 * standalone) exactly as far as the driver needs: no topologyVersion (it would switch the
 * driver to streaming monitoring) and logicalSessionTimeoutMinutes (without it the driver
 * disables sessions and transactions).
 */
import { Document, ObjectId } from 'bson';
import { CommandEnv, CommandSpec } from './types';
import { OpContext } from '../context';

const ELECTION_ID = new ObjectId('7fffffff0000000000000001');

function hello(_ctx: OpContext, _cmd: Document, env: CommandEnv): Document {
  const { server } = env;
  const me = `${server.host}:${server.port}`;
  const reply: Document = {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: env.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
  };
  if (server.replicaSetName !== null) {
    Object.assign(reply, {
      setName: server.replicaSetName,
      setVersion: 1,
      hosts: [me],
      primary: me,
      me,
      secondary: false,
      electionId: ELECTION_ID,
      lastWrite: { lastWriteDate: new Date() },
    });
  }
  reply.ok = 1;
  return reply;
}

/** The handshake grows new informational fields with each driver release; mongod accepts them all. */
const HELLO_FIELDS = ['*'];

export const adminCommands: CommandSpec[] = [
  { name: 'hello', aliases: ['isMaster', 'ismaster'], fields: HELLO_FIELDS, run: hello },
  { name: 'ping', fields: [], run: () => ({ ok: 1 }) },
  {
    name: 'buildInfo',
    aliases: ['buildinfo'],
    fields: [],
    run: () => ({
      version: '7.0.0',
      versionArray: [7, 0, 0, 0],
      gitVersion: 'embedded',
      bits: 64,
      maxBsonObjectSize: 16 * 1024 * 1024,
      storageEngines: ['embedded'],
      ok: 1,
    }),
  },
  {
    name: 'endSessions',
    fields: [],
    run: (ctx, cmd) => {
      for (const lsid of (cmd.endSessions ?? []) as Document[]) {
        const sid = sessionKey(lsid);
        const state = ctx.engine.sessions.get(sid);
        if (state?.txn?.state === 'active') ctx.engine.endTransaction(state.txn, 'aborted');
        ctx.engine.sessions.delete(sid);
      }
      return { ok: 1 };
    },
  },
];

/** The key of a logical session: the hex of its UUID. */
export function sessionKey(lsid: Document): string {
  const id = lsid?.id as { toString(enc: string): string } | undefined;
  return id ? id.toString('hex') : '';
}
