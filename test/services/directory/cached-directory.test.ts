import { CachedDirectory } from '../../../services/directory/cached-directory';
import type { DirectoryReader } from '../../../services/directory/directory-store';

describe('CachedDirectory', () => {
  const person = { id: 'ana.lopez', name: 'Ana', email: 'ana@x.mx', roles: ['analyst' as const], centreIds: [] };
  const fake = () => {
    const calls: string[] = [];
    let fail = false;
    const inner = {
      personById: async (id: string) => {
        calls.push(id);
        if (fail) throw new Error('down');
        return id === 'ana.lopez' ? person : null;
      },
    } as unknown as DirectoryReader;
    return {
      inner,
      calls,
      setFail: (v: boolean) => {
        fail = v;
      },
    };
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

  it('keeps a person found by Teams id under their directory id and email too, for the same TTL', async () => {
    let now = 1_000;
    const aad = '6f1c1b1e-0000-4000-8000-00000000a11a';
    const ana = { ...person, email: 'Ana@X.mx', aadObjectId: aad };
    const calls: string[] = [];
    const inner = {
      personByAadObjectId: async (id: string) => {
        calls.push(`aad ${id}`);
        return id.toLowerCase() === aad ? ana : null;
      },
      personById: async (id: string) => {
        calls.push(`id ${id}`);
        return id === 'ana.lopez' ? ana : null;
      },
      personByEmail: async (email: string) => {
        calls.push(`email ${email}`);
        return email.toLowerCase() === 'ana@x.mx' ? ana : null;
      },
    } as unknown as DirectoryReader;
    const dir = new CachedDirectory(inner, 30_000, () => now);
    expect(await dir.personByAadObjectId(aad.toUpperCase())).toEqual(ana);
    expect(await dir.personById('ana.lopez')).toEqual(ana);
    expect(await dir.personByEmail(' ana@x.MX ')).toEqual(ana);
    expect(calls).toEqual([`aad ${aad.toUpperCase()}`]);
    // Misses name no person, so they fill nothing else.
    expect(await dir.personById('nadie')).toBeNull();
    expect(await dir.personByEmail('nadie@x.mx')).toBeNull();
    expect(calls).toHaveLength(3);
    now += 30_000;
    expect(await dir.personById('ana.lopez')).toEqual(ana);
    expect(calls.at(-1)).toBe('id ana.lopez');
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
