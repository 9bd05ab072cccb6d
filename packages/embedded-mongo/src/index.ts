/**
 * Embedded MongoDB-wire-compatible engine: public entry point.
 *
 * Contract used by the service, the tests and the CLI. The implementation lives in the
 * other files of this folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Dispatcher, EngineLogger } from './dispatch';
import type { ThreadData, ThreadLevel, ThreadMessage } from './engine-thread';
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
  /**
   * Run the engine on a worker thread of this process (its CPU then never delays the
   * caller's event loop), logging at `thread.level` and above through `logger`. Only the
   * compiled package has the thread's entry file; run from TypeScript sources, the engine
   * runs on the calling thread and `startEngine` says so through `logger.debug`.
   */
  thread?: { level?: ThreadLevel; onFailure?: (error: Error) => void };
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
  if (options.thread) {
    const entry = join(__dirname, 'engine-thread.js');
    if (existsSync(entry)) return startOnThread(entry, options, options.thread);
    options.logger?.debug({ entry }, 'no compiled thread entry; the engine runs on the calling thread');
  }
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

const asError = (m: { name: string; message: string; stack?: string }): Error =>
  Object.assign(new Error(m.message), { name: m.name, stack: m.stack });

/** The engine on a worker thread; resolves once it listens, rejects with its start error. */
function startOnThread(
  entry: string,
  options: EngineOptions,
  thread: NonNullable<EngineOptions['thread']>,
): Promise<RunningEngine> {
  const { logger, thread: _thread, ...rest } = options;
  const data: ThreadData = { options: rest, level: thread.level ?? 'info' };
  const worker = new Worker(entry, { workerData: data });
  let closing: Promise<void> | undefined;
  let closed = false;
  return new Promise<RunningEngine>((resolve, reject) => {
    let started = false;
    const fail = (error: Error) => {
      if (!started) reject(error);
      else if (!closing) thread.onFailure?.(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closed && !closing) fail(new Error(`embedded engine thread exited with code ${code}`));
    });
    worker.on('message', (message: ThreadMessage) => {
      switch (message.kind) {
        case 'log':
          (logger?.[message.level] ?? logger?.warn)?.call(logger, message.obj, message.msg);
          break;
        case 'failed':
          fail(asError(message));
          break;
        case 'started':
          started = true;
          resolve({
            uri: message.uri,
            port: message.port,
            close() {
              closing ??= new Promise<void>((done, refuse) => {
                worker.on('message', (m: ThreadMessage) => {
                  if (m.kind === 'closed') {
                    closed = true;
                    void worker.terminate().then(() => done(), refuse);
                  } else if (m.kind === 'failed') refuse(asError(m));
                });
                worker.postMessage('close');
              });
              return closing;
            },
          });
          break;
        case 'closed':
          break;
      }
    });
  });
}
