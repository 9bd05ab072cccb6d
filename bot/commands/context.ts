import { Attachment, AttachmentLayoutTypes, MessageFactory, TurnContext } from 'botbuilder';
import type { Logger } from '../../services/logger';
import type { OrderServices } from '../../services/orders/order-services';
import type { ServiceOrder } from '../../services/orders/types';
import type { ReportReads } from '../../services/reports/report-routes';
import type { Identity } from '../identity';
import { orderCard } from '../order-cards';
import { REPLIES } from '../replies';

/** Cards shown at most in one answer to a list command. */
export const MAX_LIST_CARDS = 5;

/** What every command handler gets: the turn, who sent it, and the service's use cases. */
export interface CommandContext {
  turn: TurnContext;
  identity: Identity;
  services: OrderServices;
  logger: Logger;
  /** Every centre, for people who may report for any of them. */
  centres(): Promise<Array<{ id: string; name: string }>>;
  /** The SLA report the read API serves; absent: `reporte` answers that it is unavailable. */
  reports?: ReportReads;
  /** Told when a command changed an order, so the cards already sent for it follow. */
  orderChanged?(order: ServiceOrder): Promise<void>;
}

/**
 * Answers a list command: the first MAX_LIST_CARDS orders of the page as cards, headed by the
 * total, and how many more there are.
 */
export async function sendOrderList(
  ctx: CommandContext,
  page: { items: ServiceOrder[]; total: number },
  heading: string,
  empty: string,
): Promise<void> {
  if (page.total === 0) {
    await ctx.turn.sendActivity(empty);
    return;
  }
  const cards: Attachment[] = [];
  for (const order of page.items.slice(0, MAX_LIST_CARDS))
    cards.push(
      await orderCard(
        order,
        ctx.identity.person,
        ctx.services.directory,
        ctx.services.timeZone,
        undefined,
        ctx.services.fileLink,
      ),
    );
  const more = page.total > MAX_LIST_CARDS ? `\n${REPLIES.more(page.total - MAX_LIST_CARDS)}` : '';
  const message = MessageFactory.list(cards, `${heading}${more}`);
  message.attachmentLayout = AttachmentLayoutTypes.List;
  await ctx.turn.sendActivity(message);
}
