import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { AssetFileSchema, Asset } from './schema';
import { readAssetsCsv } from './assets-csv';
import { parseAssets, RegisterRefs, registerError, SourcedRow } from './validate-assets';
import type { AssetWriter } from './asset-store';

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw registerError([
      `${basename(path)}: no se pudo leer el archivo (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
}

/** Rows of a register file: CSV when the name ends in `.csv`, JSON (`{"assets": [...]}`) otherwise. */
export function registerRows(text: string, label: string): SourcedRow[] {
  if (extname(label).toLowerCase() === '.csv') return readAssetsCsv(text, label);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw registerError([`${label}: JSON inválido (${(error as Error).message})`]);
  }
  const file = AssetFileSchema.safeParse(json);
  if (!file.success)
    throw registerError(file.error.issues.map((i) => `${label}: ${i.path.join('.') || 'archivo'}: ${i.message}`));
  return file.data.assets.map((raw, i) => ({ path: `assets[${i}]`, raw }));
}

/**
 * Reads and validates a register file against the directory, then replaces the stored
 * register in one step: a file with any error leaves the stored register as it was.
 */
export async function importAssets(
  deps: { assets: AssetWriter; directory: { snapshot(): Promise<RegisterRefs> } },
  input: { file: string },
): Promise<Asset[]> {
  const rows = registerRows(await readText(input.file), basename(input.file));
  const assets = parseAssets(rows, await deps.directory.snapshot());
  await deps.assets.replaceAll(assets);
  return assets;
}
