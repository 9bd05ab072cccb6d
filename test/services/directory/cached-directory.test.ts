import { CachedDirectory } from '../../../services/directory/cached-directory';
import type { DirectoryReader } from '../../../services/directory/directory-store';

describe('CachedDirectory', () => {
  const person = { id: 'ana.lopez', name: 'Ana', email: 'ana@x.mx', roles: ['analyst' as const], centreIds: [] };
  const fake = () => {
    const calls: string[] = [];
    let fail = false;
    const inner = {
      personById: async (id: string) => { calls.push(id); if (fail) throw new Error('down'); return id === 'ana.lopez' ? person : null; },
    } as unknown as DirectoryReader;
    return { inner, calls, setFail: (v: boolean) => { fail = v; } };
  };

  it('answers repeated lookups, misses included, from memory until the TTL passes', async () => {
    let now = 1_000;
    const f = fake();
    const dir = new CachedDirectory(f.inner, 30_000, () => now);
    expect(await dir.personById('ana.lopez')).toEqual(person);
    expect(await dir.personById('ana.lopez')).toEqual(person);
    expect(await dir.personById('nadie')).toBeNull();
    expect(await dir.personById('nadie')).toBeNull();
    expect(f.calls).toEqual(['ana.lopez', 'nadie']);
    now += 30_000;
    await dir.personById('ana.lopez');
    expect(f.calls).toEqual(['ana.lopez', 'nadie', 'ana.lopez']);
  });

  it('does not keep a failed lookup', async () => {
    const f = fake();
    const dir = new CachedDirectory(f.inner, 30_000, () => 0);
    f.setFail(true);
    await expect(dir.personById('ana.lopez')).rejects.toThrow('down');
    f.setFail(false);
    expect(await dir.personById('ana.lopez')).toEqual(person);
  });
});
