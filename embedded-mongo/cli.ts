/**
 * `npm run db -- --port <p> --dbpath <dir> [--standalone] [--fsync]`: runs the engine as its own
 * process. Prints the connection URI on one line once the data is recovered and the port is
 * listening; on SIGTERM/SIGINT it compacts, closes its files and exits 0.
 */
import { startEngine } from './index';

interface CliArgs {
  port: number;
  dbPath: string;
  standalone: boolean;
  fsync: boolean;
}

/** Parses argv; throws with a usage message on anything it does not understand. */
export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { port: 27017, dbPath: '', standalone: false, fsync: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') args.port = Number(argv[++i]);
    else if (a === '--dbpath') args.dbPath = argv[++i] ?? '';
    else if (a === '--standalone') args.standalone = true;
    else if (a === '--fsync') args.fsync = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0..65535');
  if (!args.dbPath) throw new Error('--dbpath <dir> is required');
  return args;
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: db --port <p> --dbpath <dir> [--standalone] [--fsync]\n`);
    process.exit(2);
  }
  const engine = await startEngine({
    port: args.port,
    dbPath: args.dbPath,
    replicaSetName: args.standalone ? null : 'rs0',
    fsync: args.fsync,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${engine.uri}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
