/**
 * `npm run db -- --port <p> --dbpath <dir> [--standalone] [--fsync]`: runs the engine as its own
 * process. Prints the connection URI on one line once the data is recovered and the port is
 * listening; on SIGTERM/SIGINT it closes its files and exits 0.
 *
 * `npm run db -- repair --dbpath <dir>`: checks every stored record, sets damaged ones aside in
 * a folder beside the data (with report.json), rebuilds the indexes from what remains, prints
 * what it kept and exits 0 (1 when it could not run, e.g. an engine holds the directory).
 */
import { repairDataDir, startEngine } from './index';

interface CliArgs {
  command: 'serve' | 'repair';
  port: number;
  dbPath: string;
  standalone: boolean;
  fsync: boolean;
}

const USAGE = 'usage: db --port <p> --dbpath <dir> [--standalone] [--fsync]\n       db repair --dbpath <dir>';

/** Parses argv; throws with a usage message on anything it does not understand. */
export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: 'serve', port: 27017, dbPath: '', standalone: false, fsync: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (i === 0 && a === 'repair') args.command = 'repair';
    else if (a === '--port') args.port = Number(argv[++i]);
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
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.command === 'repair') return repair(args.dbPath);
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

async function repair(dbPath: string): Promise<void> {
  const report = await repairDataDir(dbPath);
  for (const f of report.files) {
    const bad = f.damaged.map((r) => `${r.length} bytes at offset ${r.offset}`).join(', ');
    process.stdout.write(
      `converted ${f.file}: kept ${f.records} records${bad ? `; damaged: ${bad}` : ''}${f.tornBytes ? `; cut incomplete last record (${f.tornBytes} bytes)` : ''}\n`,
    );
  }
  for (const d of report.damaged)
    process.stdout.write(`damaged record set aside: ${d.collection} _id key ${d.idKeyHex} (${d.reason})\n`);
  if (report.unapplied > 0)
    process.stdout.write(`${report.unapplied} readable records could not be applied on what remained\n`);
  process.stdout.write(
    report.setAsideDir ? `damaged data set aside in ${report.setAsideDir}\n` : 'nothing was damaged\n',
  );
  process.stdout.write(`repaired: ${report.documents} documents\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine failed: ${(err as Error).message}\n`);
  process.exit(1);
});
