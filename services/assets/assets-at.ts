import type { AssetReader } from './asset-store';
import type { Asset } from './schema';

/** The most a dialog offers at once: a longer list is no help to someone choosing. */
export const MAX_OFFERED = 8;

const words = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0 && !STOP.has(w));
const STOP = new Set(['de', 'del', 'la', 'el', 'los', 'las', 'en', 'no', 'num', 'numero']);

/**
 * The centre's registered equipment at the place a person named, for them to pick from:
 * an asset is there when every word of the place («sala 3») is a word of its location
 * («Sala de audiencias 3»). Nothing when the place matches no asset or too many, so the
 * person is never shown a wrong or endless list; they can still type the number.
 */
export async function assetsAt(
  assets: Pick<AssetReader, 'inCentre'>,
  centreId: string,
  place: string,
): Promise<Asset[]> {
  const wanted = words(place);
  if (wanted.length === 0) return [];
  const there = (await assets.inCentre(centreId)).filter((a) => {
    const have = new Set(words(a.location));
    return wanted.every((w) => have.has(w));
  });
  return there.length <= MAX_OFFERED ? there : [];
}
