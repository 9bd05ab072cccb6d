import { MongoClient } from 'mongodb';
import { loadConfig } from '../config';
import { AppError } from '../errors';
import { startEngine } from '@cjpf/embedded-mongo';
import { MongoDirectoryStore } from './directory-store';
import { importDirectory } from './load-directory';
import type { Directory } from './schema';
import { MongoAssetStore } from '../assets/asset-store';
import { MongoAssetOrders } from '../assets/asset-orders';
import { importAssets } from '../assets/load-assets';

const USAGE = [
  'Uso: npm run directory -- import <archivo.json> [--people <personas.csv>]',
  '     npm run directory -- show',
  '     npm run directory -- assets import <equipos.json|equipos.csv>',
  '     npm run directory -- assets show <número de inventario>',
].join('\n');

/** Connects to MONGODB_URI or, when unset, to the embedded engine on DATA_DIR (config.ts reads the env). */
async function connect(): Promise<{
  store: MongoDirectoryStore;
  assets: MongoAssetStore;
  assetOrders: MongoAssetOrders;
  close(): Promise<void>;
}> {
  const config = loadConfig();
  const engine = config.mongodbUri ? undefined : await startEngine({ dbPath: config.dataDir });
  const client = await MongoClient.connect(config.mongodbUri ?? engine!.uri);
  const store = new MongoDirectoryStore(client, client.db(config.databaseName));
  return {
    store,
    assets: new MongoAssetStore(client.db(config.databaseName)),
    assetOrders: new MongoAssetOrders(client.db(config.databaseName)),
    async close() {
      await client.close();
      await engine?.close();
    },
  };
}

function summary(d: Directory): string {
  const lines = [
    `Centros (${d.centres.length}):`,
    ...d.centres.map((c) => `  ${c.id}  ${c.name} — ${c.timeZone}`),
    `Proveedores (${d.providers.length}):`,
    ...d.providers.map((p) => `  ${p.id}  ${p.company}`),
    `Contratos (${d.contracts.length}):`,
    ...d.contracts.map((c) => `  ${c.id}  ${c.number} (${c.providerId}) ${c.equipmentTypes.join(', ')}`),
    `Personas (${d.people.length}):`,
    ...d.people.map((p) => `  ${p.id}  ${p.name} <${p.email}> ${p.roles.join(', ')} ${p.centreIds.join(', ')}`),
  ];
  return lines.join('\n');
}

export type CliArgs =
  | { command: 'show' }
  | { command: 'import'; file: string; peopleCsv?: string }
  | { command: 'assets-import'; file: string }
  | { command: 'assets-show'; inventoryNumber: string };

async function assetSummary(
  assets: MongoAssetStore,
  orders: MongoAssetOrders,
  inventoryNumber: string,
): Promise<string> {
  const asset = await assets.byInventoryNumber(inventoryNumber);
  if (!asset)
    throw new AppError(
      'NOT_FOUND',
      `asset ${inventoryNumber} not found`,
      `El equipo «${inventoryNumber}» no está en el inventario.`,
    );
  const history = await orders.ordersOfAsset(asset.inventoryNumber);
  return [
    `${asset.inventoryNumber}  ${asset.type}  ${asset.brandModel}${asset.serial ? ` (serie ${asset.serial})` : ''}`,
    `  ${asset.centreId} — ${asset.location}; contrato ${asset.contractId ?? '—'}; garantía hasta ${asset.warrantyEnd ?? '—'}`,
    `Órdenes (${history.length}):`,
    ...history.map((o) => `  ${o.folio}  ${o.createdAt.toISOString().slice(0, 10)}  ${o.status}`),
  ].join('\n');
}

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === 'assets' && rest.length === 2 && rest[0] === 'import')
    return { command: 'assets-import', file: rest[1]! };
  if (command === 'assets' && rest.length === 2 && rest[0] === 'show')
    return { command: 'assets-show', inventoryNumber: rest[1]! };
  if (command === 'show' && rest.length === 0) return { command };
  if (command === 'import' && rest[0] && !rest[0].startsWith('--')) {
    if (rest.length === 1) return { command, file: rest[0] };
    if (rest.length === 3 && rest[1] === '--people') return { command, file: rest[0], peopleCsv: rest[2] };
  }
  throw new AppError('VALIDATION', `bad arguments: ${argv.join(' ')}`, USAGE);
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const { store, assets, assetOrders, close } = await connect();
  try {
    await store.ensureIndexes();
    await assets.ensureIndexes();
    if (args.command === 'show') {
      process.stdout.write(`${summary(await store.snapshot())}\n`);
    } else if (args.command === 'assets-import') {
      const imported = await importAssets({ assets, directory: store }, args);
      process.stdout.write(`Inventario importado: ${imported.length} equipos.\n`);
    } else if (args.command === 'assets-show') {
      await assetOrders.ensureIndexes();
      process.stdout.write(`${await assetSummary(assets, assetOrders, args.inventoryNumber)}\n`);
    } else {
      const d = await importDirectory({ directory: store }, args);
      process.stdout.write(
        `Directorio importado: ${d.centres.length} centros, ${d.providers.length} proveedores, ${d.contracts.length} contratos, ${d.people.length} personas.\n`,
      );
    }
    return 0;
  } finally {
    await close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${AppError.is(error) ? error.userMessage : String(error)}\n`);
      process.exit(1);
    },
  );
}
