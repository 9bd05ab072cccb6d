/**
 * Helpers for tests that damage or pick from data on purpose. Each checks its index, so a test
 * whose fixture is smaller than it assumed stops with a message rather than damaging nothing.
 */

/** XORs the byte at `at` with `mask`, as a disk fault would flip bits in place. */
export function flipBits(bytes: Uint8Array, at: number, mask: number): void {
  const old = bytes[at];
  if (old === undefined) throw new Error(`no byte at ${at} (length ${bytes.length})`);
  bytes[at] = old ^ mask;
}

/** The item at `index`; throws naming `what` when the list is shorter. */
export function itemAt<T>(items: readonly T[], index: number, what = `an item at index ${index}`): T {
  const item = items[index];
  if (item === undefined) throw new Error(`expected ${what}, found ${items.length} items`);
  return item;
}
