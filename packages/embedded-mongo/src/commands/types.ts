/**
 * The shape of a command handler. Each handler lists every field it understands, so the
 * dispatcher can refuse unknown options instead of silently ignoring them.
 */
import { Document } from 'bson';
import { OpContext } from '../context';

/** What a handler knows about the server and the connection it answers on. */
export interface ServerInfo {
  host: string;
  port: number;
  replicaSetName: string | null;
  startedAt: Date;
}

export interface CommandEnv {
  server: ServerInfo;
  connectionId: number;
}

export interface CommandSpec {
  /** Canonical name (first key of the command document). */
  name: string;
  aliases?: string[];
  /** Fields understood besides the command name and the generic ones; ['*'] accepts any. */
  fields: string[];
  /** Allowed inside a multi-document transaction. */
  inTxn?: boolean;
  /** A write whose answer is remembered for retryable writes (txnNumber outside transactions). */
  retryable?: boolean;
  run(ctx: OpContext, cmd: Document, env: CommandEnv): Document;
}

/** Fields every driver may attach to any command; accepted everywhere. */
export const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  '$clusterTime',
  'txnNumber',
  'autocommit',
  'startTransaction',
  'readConcern',
  'writeConcern',
  '$readPreference',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'comment',
  'maxTimeMS',
  '$query',
]);
