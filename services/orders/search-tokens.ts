import type { HistoryEntry, ServiceOrder } from './types';

/** Words shorter than this are not indexed (too common to narrow anything). */
const MIN_LENGTH = 2;
/** Longer runs (hashes, base64, pasted blobs) are not words anyone searches for. */
const MAX_LENGTH = 40;
/**
 * Distinct words kept per write: bounds what a long mail thread adds to the index, and so
 * what one order can cost every search.
 */
export const MAX_TOKENS_PER_WRITE = 400;

/** Lower case, accents and other combining marks removed: «Impresión» and «impresion» are one word. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** Punctuation that joins the parts of one identifier: folios, emails, inventory numbers. */
const JOINERS = /^[\p{L}\p{N}]+(?:[-_.@/][\p{L}\p{N}]+)+$/u;

/**
 * The words of `text` as the search index keeps them: folded, split on anything that is not a
 * letter or digit. A chunk made of parts joined by `-`, `.`, `@`, `_` or `/` (a folio, an
 * email, an inventory number) is also kept whole, so it is found exactly.
 */
export function tokensOf(text: string | undefined): string[] {
  if (!text) return [];
  const out = new Set<string>();
  for (const chunk of foldText(text).split(/\s+/)) {
    const trimmed = chunk.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (!trimmed) continue;
    if (JOINERS.test(trimmed) && trimmed.length <= MAX_LENGTH) out.add(trimmed);
    for (const word of trimmed.split(/[^\p{L}\p{N}]+/u))
      if (word.length >= MIN_LENGTH && word.length <= MAX_LENGTH) out.add(word);
  }
  return [...out];
}

/**
 * What a search for `query` must find on an order: one token per chunk typed, all of them
 * required. A joined chunk (`OS-2026-000123`, an email) is looked up whole; any other chunk
 * by each of its words.
 */
export function queryTokens(query: string): string[] {
  const out = new Set<string>();
  for (const chunk of foldText(query).split(/\s+/)) {
    const trimmed = chunk.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (!trimmed) continue;
    if (JOINERS.test(trimmed) && trimmed.length <= MAX_LENGTH) {
      out.add(trimmed);
      continue;
    }
    for (const word of trimmed.split(/[^\p{L}\p{N}]+/u))
      if (word.length >= MIN_LENGTH && word.length <= MAX_LENGTH) out.add(word);
  }
  return [...out];
}

const cap = (tokens: Iterable<string>) => [...new Set(tokens)].slice(0, MAX_TOKENS_PER_WRITE);

type Searchable = Pick<
  ServiceOrder,
  'folio' | 'description' | 'requester' | 'equipment' | 'engineer' | 'provider' | 'addenda' | 'history' | 'resolution'
>;

/** The words a new (or rebuilt) order is found by: folio, people, equipment and everything written on it. */
export function orderSearchTokens(order: Searchable): string[] {
  return cap([
    ...tokensOf(order.folio),
    ...tokensOf(order.requester.name),
    ...tokensOf(order.requester.email),
    ...tokensOf(order.equipment.inventoryNumber),
    ...tokensOf(order.equipment.location),
    ...tokensOf(order.engineer?.name),
    ...tokensOf(order.provider?.name),
    ...tokensOf(order.description),
    ...(order.addenda ?? []).flatMap((a) => tokensOf(a.text)),
    ...tokensOf(order.resolution?.solution),
    ...tokensOf(order.resolution?.documentation),
    ...order.history.filter((h) => h.action !== 'notification').flatMap(historyTokens),
  ]);
}

function historyTokens(h: HistoryEntry): string[] {
  return [...tokensOf(h.note), ...(h.changes ?? []).flatMap((c) => tokensOf(c.to))];
}

interface Named {
  name?: string;
  email?: string;
}

/**
 * The words a change adds to an order: its history line and the facts it sets (engineer,
 * provider, equipment, addenda, resolution). Words are only ever added: an order stays
 * findable by a value it once had (a corrected inventory number), as its history shows it.
 */
export function changeSearchTokens(set: Record<string, unknown>, history: HistoryEntry): string[] {
  const person = (v: unknown) => [...tokensOf((v as Named | undefined)?.name), ...tokensOf((v as Named)?.email)];
  const equipment = set.equipment as ServiceOrder['equipment'] | undefined;
  const resolution = set.resolution as ServiceOrder['resolution'] | undefined;
  const addenda = set.addenda as ServiceOrder['addenda'] | undefined;
  return cap([
    ...historyTokens(history),
    ...(set.engineer ? person(set.engineer) : []),
    ...(set.provider ? tokensOf((set.provider as Named).name) : []),
    ...tokensOf(equipment?.inventoryNumber),
    ...tokensOf(equipment?.location),
    ...tokensOf(resolution?.solution),
    ...tokensOf(resolution?.documentation),
    ...(addenda?.length ? tokensOf(addenda[addenda.length - 1]!.text) : []),
  ]);
}
