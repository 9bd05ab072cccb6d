import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPackage, filledManifest } from '../../manifest/package';
import { decodePng } from '../../manifest/png';

const DIR = join(__dirname, '../../manifest');
const APP_ID = '11111111-2222-4333-8444-555555555555';

/**
 * Validates with @microsoft/app-manifest's bundled official schemas, offline. The library
 * pulls an ES-module-only dependency that jest cannot load, so it runs in a child Node.
 */
function validateAgainstSchema(manifest: unknown): string[] {
  const script =
    "require('@microsoft/app-manifest').AppManifestUtils.validateAgainstSchema(JSON.parse(require('fs').readFileSync(0, 'utf8'))).then((e) => process.stdout.write(JSON.stringify(e)))";
  const out = execFileSync(process.execPath, ['-e', script], {
    input: JSON.stringify(manifest),
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe('Teams app package', () => {
  it('keeps a placeholder for the app id in the committed manifest', () => {
    const raw = readFileSync(join(DIR, 'manifest.json'), 'utf8');
    expect(raw).toContain('{{MicrosoftAppId}}');
  });

  it('is valid against the official Teams schema once the app id is filled (offline)', () => {
    const manifest = filledManifest(APP_ID);
    const errors = validateAgainstSchema(manifest);
    expect(errors).toEqual([]);
    expect(manifest).toMatchObject({
      id: APP_ID,
      manifestVersion: '1.22',
      bots: [{ botId: APP_ID, scopes: ['personal', 'team'] }],
    });
    expect((manifest.name as { short: string }).short).toMatch(/Mesa de Servicio/);
  });

  it('is refused by the schema when something required is missing (the check is real)', () => {
    const manifest = filledManifest(APP_ID);
    delete manifest.developer;
    expect(validateAgainstSchema(manifest).join()).toMatch(/developer/);
  });

  it('carries the Mesa personal tab with Teams SSO when given the public address and the tab app, and stays valid', () => {
    const clientId = '66666666-7777-4888-9999-000000000000';
    const manifest = filledManifest(APP_ID, DIR, { publicBaseUrl: 'https://mesa.cjf.example', clientId });
    expect(validateAgainstSchema(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      staticTabs: [
        { entityId: 'mesa', name: 'Mesa', contentUrl: 'https://mesa.cjf.example/desk/', scopes: ['personal'] },
      ],
      validDomains: ['mesa.cjf.example'],
      webApplicationInfo: { id: clientId, resource: `api://mesa.cjf.example/${clientId}` },
    });
  });

  it('leaves the tab out without a public https address (Teams shows tabs only from one)', () => {
    for (const desk of [undefined, { publicBaseUrl: 'http://127.0.0.1:3978' }]) {
      const manifest = filledManifest(APP_ID, DIR, desk);
      expect(validateAgainstSchema(manifest)).toEqual([]);
      expect(manifest.staticTabs).toBeUndefined();
      expect(JSON.stringify(manifest)).not.toContain('{{');
    }
  });

  it('refuses an app id that is not a GUID', () => {
    expect(() => filledManifest('not-a-guid')).toThrow(/GUID/);
  });

  it('has a 192×192 opaque colour icon and a 32×32 white-on-transparent outline icon', () => {
    const color = decodePng(readFileSync(join(DIR, 'color.png')));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodePng(readFileSync(join(DIR, 'outline.png')));
    expect([outline.width, outline.height, outline.colorType]).toEqual([32, 32, 6]);
    let transparent = 0;
    let white = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
      if (a === 0) transparent++;
      else if (r === 255 && g === 255 && b === 255 && a === 255) white++;
      else throw new Error(`outline pixel ${i / 4} is neither transparent nor white`);
    }
    expect(transparent).toBeGreaterThan(32 * 32 * 0.5);
    expect(white).toBeGreaterThan(20);
    for (let i = 3; i < color.pixels.length; i += 4) expect(color.pixels[i]).toBe(255);
  });

  it('zips manifest.json and both icons at the root of a sideloadable package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teams-app-'));
    try {
      const zip = await buildPackage(APP_ID, join(dir, 'app.zip'));
      const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
      expect(listing).toEqual(['color.png', 'manifest.json', 'outline.png']);
      const manifest = JSON.parse(execFileSync('unzip', ['-p', zip, 'manifest.json'], { encoding: 'utf8' })) as {
        bots: Array<{ botId: string }>;
      };
      expect(manifest.bots[0]!.botId).toBe(APP_ID);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
