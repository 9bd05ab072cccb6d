/**
 * `npm run sla-summaries [-- --uri <mongodb-uri>]`: stores the SLA summary on every closed or
 * cancelled order that has none still holding — orders closed before summaries existed, or
 * after a directory import changed a calendar or a target. The report does the same for the
 * orders it reads, so this only spares the first report after an upgrade the work; it may
 * run while the service runs (pass `--uri` with the URI of the service's `embedded engine
 * started` log line, or MONGODB_URI), and running it twice stores nothing the second time.
 */
import { MongoClient } from 'mongodb';
import { startEngine } from '@cjpf/embedded-mongo';
import { loadConfig, readEnvFile } from '../config';
import { MongoDirectoryStore } from '../directory/directory-store';
import { ClockSource } from '../sla/clock-source';
import { MongoReportSource } from './report-store';
import { summariseOrders } from './summarise-orders';

function uriArgument(argv: readonly string[]): string | undefined {
  if (argv.length === 0) return undefined;
  if (argv.length === 2 && argv[0] === '--uri' && argv[1]) return argv[1];
  throw new Error('Uso: npm run sla-summaries [-- --uri <mongodb-uri>]');
}

async function main(): Promise<void> {
  const config = loadConfig(readEnvFile().env);
  const uri = uriArgument(process.argv.slice(2)) ?? config.mongodbUri;
  const engine = uri ? undefined : await startEngine({ dbPath: config.dataDir });
  const client = await MongoClient.connect(uri ?? engine!.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    const db = client.db(config.databaseName);
    const directory = new MongoDirectoryStore(client, db);
    const source = new MongoReportSource(db);
    await source.ensureIndexes();
    const clocks = new ClockSource(directory, directory, config.defaultTimeZone);
    const started = Date.now();
    const { read, stored } = await summariseOrders(
      { source, clocks, now: new Date() },
      { from: new Date(0), to: new Date(8.64e15) },
    );
    process.stdout.write(
      `Órdenes revisadas: ${read}; resúmenes de nivel de servicio guardados: ${stored} (${((Date.now() - started) / 1000).toFixed(1)} s).\n`,
    );
  } finally {
    await client.close();
    await engine?.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
