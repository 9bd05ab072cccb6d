/**
 * Narrowing for test code: a fixture the test relies on is either there or the test stops with
 * a message saying what was missing, instead of a TypeError further down.
 */

/** The value itself; throws naming `what` when it is null or undefined. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, found ${String(value)}`);
  return value;
}

/** The first item; throws naming `what` when there is none. */
export function first<T>(items: readonly T[], what = 'at least one item'): T {
  return present(items[0], what);
}

/** The item at `index`; throws naming `what` when the list is shorter. */
export function nth<T>(items: readonly T[], index: number, what = `an item at index ${index}`): T {
  return present(items[index], what);
}

/** The last item; throws naming `what` when there is none. */
export function last<T>(items: readonly T[], what = 'at least one item'): T {
  return present(items[items.length - 1], what);
}
