import { inventoryKey } from './schema';

/**
 * Inventory numbers as the example register labels them: «CJF-» and six digits. A
 * deployment whose labels differ sets INVENTORY_PATTERN (services/config.ts).
 */
export const DEFAULT_INVENTORY_PATTERN = /\bCJF-\d{6}\b/i;

/**
 * The inventory numbers written in a text, upper-cased, each once, in the order they
 * appear. The pattern is applied globally whatever flags it was given, so a pattern from
 * configuration cannot make this stop at the first match or loop forever.
 */
export function inventoryNumbersIn(text: string, pattern: RegExp = DEFAULT_INVENTORY_PATTERN): string[] {
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  const global = new RegExp(pattern.source, flags);
  const found = new Set<string>();
  for (const match of text.matchAll(global)) if (match[0]) found.add(inventoryKey(match[0]));
  return [...found];
}
