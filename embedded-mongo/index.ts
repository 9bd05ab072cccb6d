/**
 * Embedded MongoDB-wire-compatible engine: public entry point.
 *
 * Contract used by the service, the tests and the CLI. The implementation lives in the
 * other files of this folder.
 */
export interface EngineOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; only loopback addresses are accepted. Default 127.0.0.1. */
  host?: string;
  /** Directory for the journal and snapshots; undefined keeps everything in memory. */
  dbPath?: string;
  /** Replica-set name presented in hello (default 'rs0'); null presents a standalone server. */
  replicaSetName?: string | null;
}

export interface RunningEngine {
  /** Connection string for the official driver, e.g. mongodb://127.0.0.1:4711/?replicaSet=rs0 */
  readonly uri: string;
  readonly port: number;
  /** Stops accepting connections, closes open ones, flushes and closes the data files. */
  close(): Promise<void>;
}

export async function startEngine(_options: EngineOptions = {}): Promise<RunningEngine> {
  throw new Error('embedded engine not implemented yet');
}
