/**
 * Embedded MongoDB-wire-compatible engine: public entry point.
 *
 * Contract used by the service, the tests and the CLI. The implementation lives in the
 * other files of this folder.
 */
import { Dispatcher, EngineLogger } from './dispatch';
import { Engine } from './engine';
import { WireServer } from './server';
import { Storage } from './storage';

export type { EngineLogger } from './dispatch';
export { DataDamageError } from './legacy-journal';
export { RecordDamageError } from './store';
export { repairDataDir } from './storage';
export type { RepairReport } from './storage';

export interface EngineOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; only loopback addresses are accepted. Default 127.0.0.1. */
  host?: string;
  /** Data directory (the store and its lock); undefined uses a temporary one removed on close. */
  dbPath?: string;
  /** Replica-set name presented in hello (default 'rs0'); null presents a standalone server. */
  replicaSetName?: string | null;
  /** Flush every commit to disk (power-loss safety); default false (process-crash safety). */
  fsync?: boolean;
  /** pino-compatible logger; default silent. */
  logger?: EngineLogger;
}

export interface RunningEngine {
  /** Connection string for the official driver, e.g. mongodb://127.0.0.1:4711/?replicaSet=rs0 */
  readonly uri: string;
  readonly port: number;
  /** Stops accepting connections, closes open ones, flushes and closes the data files. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/**
 * Starts the engine. The store under `dbPath` is opened (reading only its catalog; a directory
 * of the older format is converted first), so the returned URI only becomes reachable once the
 * data is consistent. Damaged old-format files reject with a DataDamageError naming the file and
 * offset; a directory another running engine holds rejects too.
 */
export async function startEngine(options: EngineOptions = {}): Promise<RunningEngine> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`embedded engine listens on loopback only, refusing host ${host}`);
  const replicaSetName = options.replicaSetName === undefined ? 'rs0' : options.replicaSetName;
  const { storage, catalog } = options.dbPath
    ? Storage.open(options.dbPath, { fsync: options.fsync, logger: options.logger })
    : Storage.temporary();
  const engine = new Engine(catalog, storage);
  const info = { host: '127.0.0.1', port: 0, replicaSetName, startedAt: new Date() };
  const server = new WireServer(engine, new Dispatcher(engine, info, options.logger), options.logger);
  const port = await server.listen(options.port ?? 0, '127.0.0.1');
  info.port = port;
  const uri =
    replicaSetName === null
      ? `mongodb://127.0.0.1:${port}/?directConnection=true`
      : `mongodb://127.0.0.1:${port}/?replicaSet=${encodeURIComponent(replicaSetName)}`;
  let closing: Promise<void> | undefined;
  return {
    uri,
    port,
    close() {
      closing ??= server.close().then(() => engine.close());
      return closing;
    },
  };
}
