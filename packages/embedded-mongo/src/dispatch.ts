/**
 * Turns one decoded command into one reply: finds the handler, refuses unknown commands and
 * fields, binds the session's transaction or answers a retried write from the store, runs the
 * handler, and commits what it changed (one store transaction) before the reply leaves.
 */
import { Document } from 'bson';
import { Engine, noSuchTransaction } from './engine';
import { OpContext } from './context';
import { CommandError, ErrorCodes, errorReply, toCommandError } from './errors';
import { CommandEnv, CommandSpec, GENERIC_FIELDS, ServerInfo } from './commands/types';
import { adminCommands, sessionKey } from './commands/admin';
import { writeCommands } from './commands/write';
import { readCommands } from './commands/read';
import { findAndModifyCommand } from './commands/find-and-modify';
import { ddlCommands } from './commands/ddl';
import { transactionCommands } from './commands/transactions';
import { Transaction } from './transaction';

/** Minimal logger surface (pino-compatible). */
export interface EngineLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
}

const ALL: CommandSpec[] = [
  ...adminCommands,
  ...writeCommands,
  ...readCommands,
  findAndModifyCommand,
  ...ddlCommands,
  ...transactionCommands,
];

/** Commands that change stored data outside a transaction; each runs in one store transaction. */
const WRITES = new Set(['createIndexes', 'dropIndexes', 'create', 'drop', 'dropDatabase']);

const REGISTRY = new Map<string, CommandSpec>();
for (const spec of ALL) for (const name of [spec.name, ...(spec.aliases ?? [])]) REGISTRY.set(name, spec);

/** Command router shared by all connections; synchronous, so each command is atomic. */
export class Dispatcher {
  constructor(
    private readonly engine: Engine,
    private readonly server: ServerInfo,
    private readonly logger?: EngineLogger,
  ) {}

  /** Always returns a reply document; errors become MongoDB error replies. */
  handle(db: string, cmd: Document, connectionId: number): Document {
    const name = Object.keys(cmd)[0] ?? '';
    try {
      return this.run(name, db, cmd, { server: this.server, connectionId });
    } catch (err) {
      const e = toCommandError(err);
      this.logger?.debug({ command: name, code: e.code, err: e.message }, 'command failed');
      return errorReply(e);
    }
  }

  private run(name: string, db: string, cmd: Document, env: CommandEnv): Document {
    const spec = REGISTRY.get(name);
    if (!spec) throw new CommandError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
    this.logger?.debug({ command: name, db }, 'command');
    for (const key of spec.fields[0] === '*' ? [] : Object.keys(cmd).slice(1)) {
      if (!GENERIC_FIELDS.has(key) && !spec.fields.includes(key)) {
        throw new CommandError(ErrorCodes.BadValue, `unsupported field '${key}' in command '${name}'`);
      }
    }
    if (this.engine.activeTxns.size > 0) this.engine.expireTransactions();
    const sid = cmd.lsid ? sessionKey(cmd.lsid as Document) : undefined;
    const txnNumber = cmd.txnNumber === undefined ? undefined : Number(cmd.txnNumber);
    const txn = this.bindTransaction(spec, cmd, sid, txnNumber);
    if (!txn && sid && txnNumber !== undefined && spec.retryable) {
      const prior = this.engine.catalog.retry(sid);
      if (prior && prior.txnNumber === txnNumber) return prior.reply;
      if (prior && txnNumber < prior.txnNumber) {
        throw new CommandError(
          ErrorCodes.TransactionTooOld,
          `txnNumber ${txnNumber} is less than last txnNumber ${prior.txnNumber} seen in session`,
        );
      }
    }
    const ctx = new OpContext(this.engine, db, txn);
    const execute = (): Document => {
      let reply: Document | undefined;
      try {
        reply = spec.run(ctx, cmd, env);
        return reply;
      } catch (err) {
        if (txn?.state === 'active') this.engine.endTransaction(txn, 'aborted');
        throw err;
      } finally {
        if (txn?.state === 'active' && reply?.writeErrors) this.engine.endTransaction(txn, 'aborted');
        if (reply && !txn && sid && txnNumber !== undefined && spec.retryable)
          this.engine.noteRetry({ sid, txnNumber, reply });
      }
    };
    if (txn || !(spec.retryable || WRITES.has(spec.name))) return execute();
    return this.engine.storage.store.write(execute);
  }

  /** The transaction a command runs in, starting one on `startTransaction`. */
  private bindTransaction(
    spec: CommandSpec,
    cmd: Document,
    sid: string | undefined,
    txnNumber: number | undefined,
  ): Transaction | undefined {
    if (cmd.autocommit !== false) return undefined;
    if (this.server.replicaSetName === null) {
      throw new CommandError(
        ErrorCodes.IllegalOperation,
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
    }
    if (!sid || txnNumber === undefined)
      throw new CommandError(ErrorCodes.BadValue, 'autocommit:false requires lsid and txnNumber');
    const state = this.engine.sessions.get(sid) ?? { txnNumber: -1 };
    this.engine.sessions.set(sid, state);
    if (txnNumber < state.txnNumber)
      throw new CommandError(
        ErrorCodes.TransactionTooOld,
        `txnNumber ${txnNumber} is less than last txnNumber ${state.txnNumber} seen in session`,
      );
    if (cmd.startTransaction === true) {
      if (txnNumber === state.txnNumber)
        throw new CommandError(
          ErrorCodes.ConflictingOperationInProgress,
          `Transaction ${txnNumber} has already been started`,
        );
      if (state.txn?.state === 'active') this.engine.endTransaction(state.txn, 'aborted');
      state.txnNumber = txnNumber;
      state.txn = this.engine.beginTransaction(sid, txnNumber);
    }
    const txn = state.txn;
    if (!txn || state.txnNumber !== txnNumber) throw noSuchTransaction(txnNumber);
    txn.lastActive = Date.now();
    const ending = spec.name === 'commitTransaction' || spec.name === 'abortTransaction';
    if (!ending && txn.state !== 'active') throw noSuchTransaction(txnNumber);
    if (!spec.inTxn)
      throw new CommandError(
        ErrorCodes.OperationNotSupportedInTransaction,
        `Cannot run '${spec.name}' in a multi-document transaction.`,
      );
    return txn;
  }
}
