import { AppError } from '../errors';
import type { OrderStore } from './order-store';
import { queryTokens } from './search-tokens';
import type { ServiceOrder } from './types';

export interface SearchInput {
  /** What the person typed: folio, words of the description or conversation, a name, an email, an inventory number. */
  query: string;
  /** 1-based. */
  page: number;
  pageSize: number;
}

/** Words beyond this are ignored: each one more only narrows an already narrow result. */
const MAX_QUERY_TOKENS = 8;

/**
 * Staff search over every order (Mesa): orders holding all the words typed, matched after
 * folding case and accents, newest first, one page at a time. The database walks its index
 * of order words; nothing is scanned.
 */
export async function searchOrders(
  deps: { orders: Pick<OrderStore, 'search'> },
  input: SearchInput,
): Promise<{ items: ServiceOrder[]; more: boolean; tokens: string[] }> {
  const tokens = queryTokens(input.query).slice(0, MAX_QUERY_TOKENS);
  if (tokens.length === 0)
    throw new AppError(
      'VALIDATION',
      'search without a usable word',
      'Escriba al menos una palabra de dos letras o un folio para buscar.',
      { field: 'q' },
    );
  const { items, more } = await deps.orders.search({
    tokens,
    skip: (input.page - 1) * input.pageSize,
    limit: input.pageSize,
  });
  return { items, more, tokens };
}
