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

/** Where the service is reached (PUBLIC_BASE_URL) and Mesa's Entra app (DESK_ENTRA_CLIENT_ID). */
export interface DeskTab {
  publicBaseUrl: string;
  clientId?: string;
}

/**
 * Fills or drops the Mesa tab: Teams shows a personal tab only from a public https address,
 * and Teams SSO needs the tab's Entra app (`webApplicationInfo`); without them the package
 * carries the bot alone.
 */
function withDeskTab(manifest: Record<string, unknown>, desk: DeskTab | undefined): Record<string, unknown> {
  const url = desk ? new URL(desk.publicBaseUrl) : undefined;
  if (!url || url.protocol !== 'https:') {
    const { staticTabs, webApplicationInfo, ...rest } = manifest;
    void staticTabs;
    void webApplicationInfo;
    return { ...rest, validDomains: [] };
  }
  const text = JSON.stringify(manifest).replace(/\{\{PublicHost\}\}/g, url.host);
  if (desk?.clientId && GUID.test(desk.clientId))
    return JSON.parse(text.replace(/\{\{DeskClientId\}\}/g, desk.clientId.toLowerCase())) as Record<string, unknown>;
  const { webApplicationInfo, ...rest } = JSON.parse(text) as Record<string, unknown>;
  void webApplicationInfo;
  return rest;
}

/**
 * The manifest with the bot's Microsoft App Id filled in (the Teams app id and the bot id are
 * the same registration), and the Mesa tab when `desk` names a public https address. Refuses
 * an id that is not a GUID: Teams would reject the package.
 */
export function filledManifest(appId: string, dir: string = sourceDir(), desk?: DeskTab): Record<string, unknown> {
  if (!GUID.test(appId)) {
    throw new AppError(
      'VALIDATION',
      `MicrosoftAppId ${appId} is not a GUID`,
      'MicrosoftAppId debe ser un GUID (el identificador de la aplicación registrada).',
    );
  }
  const text = readFileSync(join(dir, 'manifest.json'), 'utf8').replace(PLACEHOLDER, appId.toLowerCase());
  return withDeskTab(JSON.parse(text) as Record<string, unknown>, desk);
}

/** Zips manifest.json and both icons at the root of the archive, as Teams sideloading expects. */
export function buildPackage(
  appId: string,
  outFile: string,
  dir: string = sourceDir(),
  desk?: DeskTab,
): Promise<string> {
  const manifest = filledManifest(appId, dir, desk);
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
  const env = readEnvFile().env;
  const appId = appIdFrom(env);
  const out = resolve(process.argv[2] ?? join(sourceDir(), '..', 'dist', 'teams-app.zip'));
  const publicBaseUrl = env.PUBLIC_BASE_URL?.trim();
  await buildPackage(
    appId,
    out,
    sourceDir(),
    publicBaseUrl ? { publicBaseUrl, clientId: env.DESK_ENTRA_CLIENT_ID?.trim() } : undefined,
  );
  process.stdout.write(`${out}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${AppError.is(error) ? error.userMessage : String(error)}\n`);
    process.exit(1);
  });
}
