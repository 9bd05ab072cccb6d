/**
 * Worker-thread entry of `startEngine({ thread: true })`: opens the store and serves the wire
 * protocol on this thread, so that decoding, matching and storage never take turns with the
 * caller's event loop. Talks to the starting thread in three messages: `started` (or `failed`)
 * once, `log` for every line at the level asked for, and `closed` after a `close` request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineLogger } from './dispatch';
import { EngineOptions, startEngine } from './index';

export type ThreadLevel = 'debug' | 'info' | 'warn';

export interface ThreadData {
  options: Omit<EngineOptions, 'logger' | 'thread'>;
  level: ThreadLevel;
}

export type ThreadMessage =
  | { kind: 'started'; uri: string; port: number }
  | { kind: 'failed'; name: string; message: string; stack?: string }
  | { kind: 'log'; level: ThreadLevel; obj: object; msg?: string }
  | { kind: 'closed' };

const RANK: Record<ThreadLevel, number> = { debug: 10, info: 20, warn: 30 };

/** Errors and other non-plain values do not survive structured cloning whole; their text does. */
function cloneable(obj: object): object {
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) =>
      v instanceof Error ? [k, { name: v.name, message: v.message, stack: v.stack }] : [k, v],
    ),
  );
}

function relayLogger(port: NonNullable<typeof parentPort>, level: ThreadLevel): EngineLogger {
  const at =
    (l: ThreadLevel) =>
    (obj: object, msg?: string): void => {
      if (RANK[l] < RANK[level]) return;
      try {
        port.postMessage({ kind: 'log', level: l, obj: cloneable(obj), msg } satisfies ThreadMessage);
      } catch {
        port.postMessage({ kind: 'log', level: l, obj: {}, msg } satisfies ThreadMessage);
      }
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn') };
}

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('engine-thread must run as a worker thread');
  const data = workerData as ThreadData;
  try {
    const engine = await startEngine({ ...data.options, logger: relayLogger(port, data.level) });
    port.on('message', (message: unknown) => {
      if (message !== 'close') return;
      void engine.close().then(
        () => port.postMessage({ kind: 'closed' } satisfies ThreadMessage),
        (error: unknown) => {
          const e = error instanceof Error ? error : new Error(String(error));
          port.postMessage({
            kind: 'failed',
            name: e.name,
            message: e.message,
            stack: e.stack,
          } satisfies ThreadMessage);
        },
      );
    });
    port.postMessage({ kind: 'started', uri: engine.uri, port: engine.port } satisfies ThreadMessage);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ kind: 'failed', name: e.name, message: e.message, stack: e.stack } satisfies ThreadMessage);
  }
}

void run();
