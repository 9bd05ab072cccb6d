/**
 * The equipment register at scale on the embedded engine: imports a 50,000-asset CSV
 * through the same code as `npm run directory -- assets import`, then measures the cost of
 * a lookup by inventory number with 1,000 and with 50,000 assets stored (an indexed lookup
 * costs the same at both sizes). Run with `npm run bench:assets` (ASSETS=… to change the size).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEngine } from '@cjpf/embedded-mongo';
import { MongoDirectoryStore } from '../services/directory/directory-store';
import { importDirectory } from '../services/directory/load-directory';
import { MongoAssetStore } from '../services/assets/asset-store';
import { importAssets } from '../services/assets/load-assets';

const ASSETS = Number(process.env.ASSETS ?? 50_000);
const SMALL = 1_000;
const LOOKUPS = 2_000;
const IMPORT_TARGET_S = 10;
const CENTRES = ['CJPF-CDMX', 'CJPF-BC-TIJ', 'CJPF-QROO-CUN'];
const TYPES = [
  ['computer', 'CT-2026-001'],
  ['printer', 'CT-2026-001'],
  ['audio_video', 'CT-2026-002'],
  ['telephony', 'CT-2026-002'],
] as const;

function csv(count: number): string {
  const lines = ['inventoryNumber,type,brandModel,serial,centreId,location,contractId,warrantyEnd'];
  for (let i = 1; i <= count; i++) {
    const [type, contract] = TYPES[i % TYPES.length]!;
    const centre = CENTRES[i % CENTRES.length]!;
    // Tijuana and Cancún are not both under CT-2026-001 for every type: keep the row valid.
    const contractId = contract === 'CT-2026-001' && centre === 'CJPF-QROO-CUN' ? '' : contract;
    lines.push(
      `CJF-${String(i).padStart(6, '0')},${type},Marca Modelo ${i % 37},SN${i},${centre},Sala de audiencias ${(i % 12) + 1},${contractId},2027-12-31`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function lookupMicros(store: MongoAssetStore, stored: number): Promise<number> {
  const numbers = Array.from(
    { length: LOOKUPS },
    (_, k) => `CJF-${String(((k * 7919) % stored) + 1).padStart(6, '0')}`,
  );
  for (const n of numbers.slice(0, 200)) await store.byInventoryNumber(n); // warm up
  const start = process.hrtime.bigint();
  for (const n of numbers) if (!(await store.byInventoryNumber(n))) throw new Error(`asset ${n} not found`);
  return (seconds(start) * 1e6) / LOOKUPS;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-assets-'));
  const engine = await startEngine({ port: 0, dbPath: join(dir, 'db') });
  const client = await MongoClient.connect(engine.uri);
  try {
    const db = client.db('bench_assets');
    const directory = new MongoDirectoryStore(client, db);
    await importDirectory({ directory }, { file: join(__dirname, '../../services/directory/example-directory.json') });
    const assets = new MongoAssetStore(db);
    await assets.ensureIndexes();
    const deps = { assets, directory };
    const small = join(dir, 'small.csv');
    const large = join(dir, 'large.csv');
    await writeFile(small, csv(SMALL));
    await writeFile(large, csv(ASSETS));

    await importAssets(deps, { file: small });
    const smallMicros = await lookupMicros(assets, SMALL);

    const start = process.hrtime.bigint();
    await importAssets(deps, { file: large });
    const importS = seconds(start);
    const largeMicros = await lookupMicros(assets, ASSETS);

    console.log(
      `import of ${ASSETS} assets (CSV, validated, swapped in at once): ${importS.toFixed(2)} s (target ≤ ${IMPORT_TARGET_S} s) ${importS <= IMPORT_TARGET_S ? 'OK' : 'OVER'}`,
    );
    console.log(`lookup by inventory number, ${SMALL} assets: ${smallMicros.toFixed(0)} µs`);
    console.log(`lookup by inventory number, ${ASSETS} assets: ${largeMicros.toFixed(0)} µs`);
    console.log(`ratio ${ASSETS}/${SMALL}: ${(largeMicros / smallMicros).toFixed(2)} (flat is about 1)`);
  } finally {
    await client.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
