/**
 * `npm run db -- dump --out <dir> [--uri <mongodb-uri>]` and
 * `npm run db -- restore --from <dir> [--replace] [--uri <mongodb-uri>]`: copies of the
 * database in mongodump's layout. Any other arguments run the embedded engine on its own
 * (embedded-mongo/cli.ts), as `npm run db` always did.
 *
 * The database is MONGODB_URI's (or `--uri`); without either, the embedded engine on DATA_DIR
 * is opened here, which needs the service stopped (the engine locks its folder). To dump a
 * running service on the embedded engine, pass `--uri` with the URI of its `embedded engine
 * started` log line.
 */
import { resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEngine } from '@cjpf/embedded-mongo';
import { loadConfig, readEnvFile } from '../config';
import { AppError } from '../errors';
import { dumpDatabase } from './dump';
import { restoreDatabase } from './restore';

const USAGE =
  'Uso: npm run db -- dump --out <carpeta> [--uri <mongodb-uri>]\n     npm run db -- restore --from <carpeta> [--replace] [--uri <mongodb-uri>]';

export type BackupArgs =
  { command: 'dump'; out: string; uri?: string } | { command: 'restore'; from: string; replace: boolean; uri?: string };

/** Parses `dump …` / `restore …`; throws VALIDATION with the usage on anything else. */
export function parseBackupArgs(argv: readonly string[]): BackupArgs {
  const [command, ...rest] = argv;
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === '--replace') flags.set(flag, true);
    else if (['--out', '--from', '--uri'].includes(flag) && rest[i + 1] && !rest[i + 1]!.startsWith('--'))
      flags.set(flag, rest[++i]!);
    else throw usage(`unknown or incomplete argument ${flag}`);
  }
  const text = (f: string) => (typeof flags.get(f) === 'string' ? (flags.get(f) as string) : undefined);
  if (command === 'dump' && text('--out') && !flags.has('--from') && !flags.has('--replace'))
    return { command, out: resolve(text('--out')!), uri: text('--uri') };
  if (command === 'restore' && text('--from') && !flags.has('--out'))
    return { command, from: resolve(text('--from')!), replace: flags.has('--replace'), uri: text('--uri') };
  throw usage(`bad arguments: ${argv.join(' ')}`);
}

function usage(log: string): AppError {
  return new AppError('VALIDATION', log, USAGE);
}

async function run(args: BackupArgs): Promise<void> {
  const config = loadConfig(readEnvFile().env);
  const uri = args.uri ?? config.mongodbUri;
  let engine: Awaited<ReturnType<typeof startEngine>> | undefined;
  if (!uri) {
    try {
      engine = await startEngine({ dbPath: config.dataDir });
    } catch (error) {
      throw new AppError(
        'UPSTREAM',
        `cannot open the embedded engine on ${config.dataDir}: ${String(error)}`,
        `No se pudo abrir la base integrada en ${config.dataDir} (¿está el servicio en marcha? deténgalo, o indique --uri con la dirección de su motor).`,
      );
    }
  }
  const client = await MongoClient.connect(uri ?? engine!.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    if (args.command === 'dump') {
      const result = await dumpDatabase(client, config.databaseName, args.out);
      for (const c of result.collections) process.stdout.write(`${c.name}: ${c.documents} documentos\n`);
      process.stdout.write(
        result.consistency === 'snapshot'
          ? `Copia de ${config.databaseName} en ${result.dir} (un solo instante: lectura en una transacción).\n`
          : `Copia de ${config.databaseName} en ${result.dir}. AVISO: el servidor no admite transacciones; cada colección se leyó por separado y la copia no es de un solo instante si el servicio escribía.\n`,
      );
    } else {
      const result = await restoreDatabase(client, config.databaseName, args.from, { replace: args.replace });
      if (result.dropped.length > 0) process.stdout.write(`Colecciones reemplazadas: ${result.dropped.join(', ')}\n`);
      for (const c of result.collections)
        process.stdout.write(`${c.name}: ${c.documents} documentos, ${c.indexes} índices\n`);
      process.stdout.write(`Restaurada ${config.databaseName} desde ${result.dir}.\n`);
    }
  } finally {
    await client.close();
    await engine?.close();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === 'dump' || argv[0] === 'restore') {
    let args: BackupArgs;
    try {
      args = parseBackupArgs(argv);
    } catch (error) {
      process.stderr.write(`${(error as AppError).userMessage}\n`);
      process.exit(2);
    }
    run(args).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${AppError.is(error) ? error.userMessage : String(error)}\n`);
        process.exit(1);
      },
    );
  } else {
    // The engine on its own: its CLI reads the same argv.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the module runs the engine's CLI
    require('@cjpf/embedded-mongo/dist/src/cli');
  }
}
