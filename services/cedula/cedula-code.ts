import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * The verification code printed on a Cédula: HMAC-SHA256 of its canonical content under
 * the server's secret, 100 bits written as four groups of five characters from an alphabet
 * without look-alikes (no I, O, 0, 1), so it can be typed from paper. Without the secret
 * nobody can make a code that matches altered content.
 */
export function cedulaCode(secret: string, canonical: string): string {
  const mac = createHmac('sha256', secret).update(canonical, 'utf8').digest();
  const bits = [...mac.subarray(0, 13)]
    .map((b) => b.toString(2).padStart(8, '0'))
    .join('')
    .slice(0, 100);
  let out = '';
  for (let i = 0; i < 100; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5), 2)];
  return out.match(/.{5}/g)!.join('-');
}

/** A code as a reader may type it: upper-cased, spaces dropped, dashes regrouped. */
export function normaliseCode(raw: string): string | null {
  const compact = raw.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[A-HJ-NP-Z2-9]{20}$/.test(compact)) return null;
  return compact.match(/.{5}/g)!.join('-');
}

export function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
