import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { directoryError, parseDirectory } from './validate';
import { readPeopleCsv } from './people-csv';
import type { Directory } from './schema';
import type { DirectoryWriter } from './directory-store';

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw directoryError([
      `${basename(path)}: no se pudo leer el archivo (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
}

/**
 * Reads a directory JSON file and, optionally, people from a CSV alongside, and validates
 * them together (cross-references span both). Any error refuses the whole set.
 */
export async function loadDirectoryFiles(jsonPath: string, peopleCsvPath?: string): Promise<Directory> {
  const text = await readText(jsonPath);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw directoryError([`${basename(jsonPath)}: JSON inválido (${(error as Error).message})`]);
  }
  const extra = peopleCsvPath ? readPeopleCsv(await readText(peopleCsvPath), basename(peopleCsvPath)) : [];
  return parseDirectory(json, extra);
}

/**
 * Validates first, then replaces the stored directory in one atomic step: a file with any
 * error leaves the running directory exactly as it was.
 */
export async function importDirectory(
  deps: { directory: DirectoryWriter },
  input: { file: string; peopleCsv?: string },
): Promise<Directory> {
  const directory = await loadDirectoryFiles(input.file, input.peopleCsv);
  await deps.directory.replaceAll(directory);
  return directory;
}
