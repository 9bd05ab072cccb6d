import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, RgbaImage } from './png';

/** Accent colour of the app (also `accentColor` in manifest.json). */
export const ACCENT: [number, number, number] = [0x6b, 0x1f, 0x3a];

/**
 * The app's mark: a wrench-like glyph drawn from a ring and a bar, in unit coordinates
 * (0..1), so the same shape renders at 192 px (colour) and 32 px (outline).
 */
function inMark(x: number, y: number): boolean {
  const dx = x - 0.38;
  const dy = y - 0.38;
  const r = Math.hypot(dx, dy);
  const ring = r >= 0.12 && r <= 0.22 && !(dx > 0.02 && dy < -0.02 && Math.abs(dx + dy) < 0.08);
  const t = (x + y) / 2;
  const across = Math.abs(x - y) / Math.SQRT2;
  const bar = t >= 0.45 && t <= 0.8 && across <= 0.07;
  return ring || bar;
}

function draw(size: number, background: [number, number, number] | null): RgbaImage {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++)
          if (inMark((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size)) hits++;
      const cover = hits / (samples * samples);
      const i = (y * size + x) * 4;
      if (background) {
        for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(background[c]! * (1 - cover) + 255 * cover);
        pixels[i + 3] = 255;
      } else {
        // Outline icons must be white on transparent: coverage goes to alpha, colour stays white.
        pixels.set([255, 255, 255, cover >= 0.5 ? 255 : 0], i);
      }
    }
  }
  return { width: size, height: size, pixels };
}

/** Writes color.png (192×192, opaque) and outline.png (32×32, white on transparent) into `dir`. */
export function writeIcons(dir: string): void {
  writeFileSync(join(dir, 'color.png'), encodePng(draw(192, ACCENT)));
  writeFileSync(join(dir, 'outline.png'), encodePng(draw(32, null)));
}

if (require.main === module) writeIcons(process.argv[2] ?? join(__dirname, '..', '..', 'manifest'));
