import type { DirectoryReader } from './directory-store';

/** How long a directory answer is reused. The directory changes only by an import, rarely. */
export const DIRECTORY_CACHE_MS = 30_000;
const MAX_ENTRIES = 5_000;

/**
 * The directory as the bot, the mail intake and the mail channel read it: the same answers,
 * each kept for DIRECTORY_CACHE_MS. Every turn, mail and notification looks up the same few
 * people, centres and contracts; reusing them halves the database work of a card action and
 * of a notice. After an import, the service sees the new directory within DIRECTORY_CACHE_MS.
 * Misses (`null`) are cached too.
 */
export class CachedDirectory implements DirectoryReader {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(private readonly inner: DirectoryReader, private readonly ttlMs = DIRECTORY_CACHE_MS, private readonly now: () => number = Date.now) {}

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && t - hit.at < this.ttlMs) return hit.value as Promise<T>;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const value = load();
    this.entries.set(key, { at: t, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  personById(id: string) { return this.cached(`p:${id}`, () => this.inner.personById(id)); }
  personByEmail(email: string) { return this.cached(`e:${String(email).toLowerCase()}`, () => this.inner.personByEmail(email)); }
  personByAadObjectId(id: string) { return this.cached(`a:${String(id).toLowerCase()}`, () => this.inner.personByAadObjectId(id)); }
  analysts() { return this.cached('analysts', () => this.inner.analysts()); }
  judgesOfCentre(centreId: string) { return this.cached(`j:${centreId}`, () => this.inner.judgesOfCentre(centreId)); }
  engineersOfCentre(centreId: string) { return this.cached(`g:${centreId}`, () => this.inner.engineersOfCentre(centreId)); }
  providerContacts(providerId: string) { return this.cached(`pc:${providerId}`, () => this.inner.providerContacts(providerId)); }
  centre(id: string) { return this.cached(`c:${id}`, () => this.inner.centre(id)); }
  provider(id: string) { return this.cached(`pr:${id}`, () => this.inner.provider(id)); }
  contractById(id: string) { return this.cached(`k:${id}`, () => this.inner.contractById(id)); }
  contractsFor(centreId: string, equipment: Parameters<DirectoryReader['contractsFor']>[1]) {
    return this.cached(`kf:${centreId}:${equipment}`, () => this.inner.contractsFor(centreId, equipment));
  }
}
