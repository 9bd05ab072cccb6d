import type { DirectoryReader } from './directory-store';
import type { Person } from './schema';

const emailKey = (email: string) => `e:${String(email).trim().toLowerCase()}`;
const aadKey = (id: string) => `a:${String(id).toLowerCase()}`;

/** How long a directory answer is reused. The directory changes only by an import, rarely. */
export const DIRECTORY_CACHE_MS = 30_000;
const MAX_ENTRIES = 5_000;

/**
 * The directory as the bot, the mail intake and the mail channel read it: the same answers,
 * each kept for DIRECTORY_CACHE_MS. Every turn, mail and notification looks up the same few
 * people, centres and contracts; reusing them saves most of the database work of a card action
 * and of a notice. After an import, the service sees the new directory within DIRECTORY_CACHE_MS.
 * Misses (`null`) are cached too. A person found by one key (Teams id, email, directory id)
 * is kept under all three: the bot knows a sender by Teams id, the use case then asks by
 * directory id within the same turn.
 */
export class CachedDirectory implements DirectoryReader {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly inner: DirectoryReader,
    private readonly ttlMs = DIRECTORY_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

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

  /** A person lookup; once found, the person is also kept under their other keys. */
  private person(key: string, load: () => Promise<Person | null>): Promise<Person | null> {
    const fresh = !this.isFresh(key);
    const value = this.cached(key, load);
    if (fresh) {
      value.then(
        (person) => {
          if (!person) return;
          const at = this.entries.get(key)?.at ?? this.now();
          for (const other of [
            `p:${person.id}`,
            person.email ? emailKey(person.email) : '',
            person.aadObjectId ? aadKey(person.aadObjectId) : '',
          ]) {
            if (other && other !== key && !this.isFresh(other))
              this.entries.set(other, { at, value: Promise.resolve(person) });
          }
        },
        () => undefined,
      );
    }
    return value;
  }

  private isFresh(key: string): boolean {
    const hit = this.entries.get(key);
    return hit !== undefined && this.now() - hit.at < this.ttlMs;
  }

  personById(id: string) {
    return this.person(`p:${id}`, () => this.inner.personById(id));
  }
  personByEmail(email: string) {
    return this.person(emailKey(email), () => this.inner.personByEmail(email));
  }
  personByAadObjectId(id: string) {
    return this.person(aadKey(id), () => this.inner.personByAadObjectId(id));
  }
  analysts() {
    return this.cached('analysts', () => this.inner.analysts());
  }
  judgesOfCentre(centreId: string) {
    return this.cached(`j:${centreId}`, () => this.inner.judgesOfCentre(centreId));
  }
  engineersOfCentre(centreId: string) {
    return this.cached(`g:${centreId}`, () => this.inner.engineersOfCentre(centreId));
  }
  providerContacts(providerId: string) {
    return this.cached(`pc:${providerId}`, () => this.inner.providerContacts(providerId));
  }
  centre(id: string) {
    return this.cached(`c:${id}`, () => this.inner.centre(id));
  }
  provider(id: string) {
    return this.cached(`pr:${id}`, () => this.inner.provider(id));
  }
  contractById(id: string) {
    return this.cached(`k:${id}`, () => this.inner.contractById(id));
  }
  deskTargets(centreId: string) {
    return this.cached(`dt:${centreId}`, () => this.inner.deskTargets(centreId));
  }
  contractsFor(centreId: string, equipment: Parameters<DirectoryReader['contractsFor']>[1]) {
    return this.cached(`kf:${centreId}:${equipment}`, () => this.inner.contractsFor(centreId, equipment));
  }
}
