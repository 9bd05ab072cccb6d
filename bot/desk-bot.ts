import { ActivityHandler, TurnContext } from 'botbuilder';
import type { Db } from 'mongodb';
import { AppError } from '../services/errors';
import type { Logger } from '../services/logger';
import type { ServiceOrder } from '../services/orders/types';
import { STATUS_LABELS } from '../services/workflow';
import { saveConversationReference } from './conversation-refs';
import { REPLIES } from './replies';

/** What the bot needs to answer `estado <folio>`: the get-order use case. */
export interface OrderLookup {
  /** Throws AppError NOT_FOUND for an unknown folio. */
  getOrderByFolio(folio: string): Promise<ServiceOrder>;
}

export const FOLIO_PATTERN = /^OS-\d{4}-\d{6}$/;

/**
 * The minimal desk bot: stores the sender's conversation reference on every activity and
 * answers `ayuda`, `estado <folio>` and, otherwise, a welcome. It reads orders only through
 * the get-order use case and never changes one.
 */
export class DeskBot extends ActivityHandler {
  constructor(private readonly deps: { db: Db; orders: OrderLookup; logger: Logger }) {
    super();
    this.onTurn(async (context, next) => {
      await this.remember(context);
      await next();
    });
    this.onMessage(async (context, next) => {
      await context.sendActivity(await this.answer(TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? ''));
      await next();
    });
  }

  /** The reply to one message text; exported behaviour, tested as a conversation table. */
  async answer(rawText: string): Promise<string> {
    const words = rawText.trim().split(/\s+/).filter(Boolean);
    const command = (words[0] ?? '').toLowerCase();
    if (command === 'ayuda') return REPLIES.help;
    if (command !== 'estado') return REPLIES.welcome;
    const folio = (words[1] ?? '').toUpperCase();
    if (!FOLIO_PATTERN.test(folio)) return REPLIES.badFolio;
    try {
      const order = await this.deps.orders.getOrderByFolio(folio);
      return REPLIES.status(order.folio, STATUS_LABELS[order.status]);
    } catch (error) {
      if (AppError.is(error, 'NOT_FOUND')) return REPLIES.notFound(folio);
      this.deps.logger.error({ err: error, folio }, 'order lookup failed');
      return REPLIES.unavailable;
    }
  }

  private async remember(context: TurnContext): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity);
    const saved = await saveConversationReference(this.deps.db, reference, context.activity.from?.aadObjectId);
    this.deps.logger.debug({ activityId: context.activity.id, refId: saved?._id }, 'conversation reference saved');
  }
}
