import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZipFile } from 'yazl';
import { readEnvFile } from '../services/config';
import { AppError } from '../services/errors';

/** Folder of manifest.json and the icons, from sources and from dist/ alike. */
const PLACEHOLDER = /\{\{MicrosoftAppId\}\}/g;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sourceDir(): string {
  // From sources __dirname is manifest/, from the build it is dist/manifest/: both lead to the sources.
  const here = resolve(__dirname);
  return here.endsWith(join('dist', 'manifest')) ? resolve(here, '..', '..', 'manifest') : here;
}

/**
 * The manifest with the bot's Microsoft App Id filled in (the Teams app id and the bot id are
 * the same registration). Refuses an id that is not a GUID: Teams would reject the package.
 */
export function filledManifest(appId: string, dir: string = sourceDir()): Record<string, unknown> {
  if (!GUID.test(appId)) {
    throw new AppError(
      'VALIDATION',
      `MicrosoftAppId ${appId} is not a GUID`,
      'MicrosoftAppId debe ser un GUID (el identificador de la aplicación registrada).',
    );
  }
  const text = readFileSync(join(dir, 'manifest.json'), 'utf8').replace(PLACEHOLDER, appId.toLowerCase());
  return JSON.parse(text) as Record<string, unknown>;
}

/** Zips manifest.json and both icons at the root of the archive, as Teams sideloading expects. */
export function buildPackage(appId: string, outFile: string, dir: string = sourceDir()): Promise<string> {
  const manifest = filledManifest(appId, dir);
  const zip = new ZipFile();
  const fixed = new Date(Date.UTC(2026, 0, 1));
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), 'manifest.json', { mtime: fixed });
  for (const icon of ['color.png', 'outline.png']) zip.addBuffer(readFileSync(join(dir, icon)), icon, { mtime: fixed });
  zip.end();
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', fail);
    zip.outputStream.on('end', () => {
      mkdirSync(resolve(outFile, '..'), { recursive: true });
      writeFileSync(outFile, Buffer.concat(chunks));
      done(outFile);
    });
  });
}

/**
 * The app id to package, from the environment (or the env file). Only the id: packaging needs
 * no secret, so the service's full configuration (which wants the app password with the id)
 * is not required here.
 */
export function appIdFrom(env: NodeJS.ProcessEnv): string {
  const appId = env.MicrosoftAppId?.trim();
  if (!appId)
    throw new AppError(
      'VALIDATION',
      'MicrosoftAppId is not set',
      'Defina MicrosoftAppId para generar el paquete de Teams.',
    );
  return appId;
}

async function main(): Promise<void> {
  const appId = appIdFrom(readEnvFile().env);
  const out = resolve(process.argv[2] ?? join(sourceDir(), '..', 'dist', 'teams-app.zip'));
  await buildPackage(appId, out);
  process.stdout.write(`${out}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${AppError.is(error) ? error.userMessage : String(error)}\n`);
    process.exit(1);
  });
}
