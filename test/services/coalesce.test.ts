import { coalesce, Outcome } from '../../services/coalesce';

describe('coalesce', () => {
  it('runs the calls made in one turn of the event loop as one batch, answering each in order', async () => {
    const batches: number[][] = [];
    const double = coalesce(async (inputs: readonly number[]) => {
      batches.push([...inputs]);
      return inputs.map((n): Outcome<number> => ({ ok: true, value: n * 2 }));
    });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(await double(4)).toBe(8);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('fails only the call its outcome names, and every call when the batch itself throws', async () => {
    const odd = coalesce(async (inputs: readonly number[]) =>
      inputs.map((n): Outcome<number> =>
        n % 2 ? { ok: true, value: n } : { ok: false, error: new Error(`${n} is even`) },
      ),
    );
    const results = await Promise.allSettled([odd(1), odd(2), odd(3)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      1,
      '2 is even',
      3,
    ]);
    let calls = 0;
    const broken = coalesce(async (): Promise<Outcome<number>[]> => {
      calls += 1;
      throw new Error('database down');
    });
    const failed = await Promise.allSettled([broken(1), broken(2)]);
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual([
      'database down',
      'database down',
    ]);
    expect(calls).toBe(1);
  });

  it('takes calls made while a batch is running into the next batch', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const echo = coalesce(async (inputs: readonly string[]) => {
      batches.push([...inputs]);
      if (batches.length === 1) await gate;
      return inputs.map((value): Outcome<string> => ({ ok: true, value }));
    });
    const first = echo('a');
    await new Promise((r) => setImmediate(r));
    const second = Promise.all([echo('b'), echo('c')]);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([['a'], ['b', 'c']]);
    release();
    expect([await first, await second]).toEqual(['a', ['b', 'c']]);
  });
});
