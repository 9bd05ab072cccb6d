import { CardFactory, ConversationReference } from 'botbuilder';
import type { Db, ObjectId } from 'mongodb';
import type { DirectoryReader } from '../services/directory/directory-store';
import type { Logger } from '../services/logger';
import type { ServiceOrder } from '../services/orders/types';
import type { OrderStore } from '../services/orders/order-store';
import { STATUS_LABELS } from '../services/workflow';
import { orderCardJson } from './order-cards';
import type { FileLinker } from '../services/files/file-links';
import { failureOfProactiveTurn, ProactiveSender } from './teams-channel';

/** One order card the bot posted to a person's chat, kept so it can be redrawn when the order changes. */
export interface SentCardDoc {
  /** `<orderId>:<activityId>`: a card is one activity of one chat. */
  _id: string;
  orderId: string;
  personId: string;
  activityId: string;
  reference: Partial<ConversationReference>;
  /** The order version the card shows now. */
  version: number;
  updatedAt: Date;
}

export const SENT_CARDS_COLLECTION = 'sentCards';

/** HTTP statuses from Teams that mean the card or its chat is gone for good. */
const GONE = new Set([403, 404]);

const statusOf = (error: unknown): number | undefined => {
  const e = error as { statusCode?: unknown; status?: unknown };
  const s = e?.statusCode ?? e?.status;
  return typeof s === 'number' ? s : undefined;
};

/**
 * What changed, in the words a card shows when it is redrawn under someone who last saw it
 * at an older version: where the order is now, and who has it.
 */
export function changeNotice(order: Pick<ServiceOrder, 'status' | 'engineer' | 'provider'>): string {
  const holder = order.provider && order.status === 'provider' ? order.provider.name : order.engineer?.name;
  return `La orden cambió: ahora está «${STATUS_LABELS[order.status]}»${holder ? `, asignada a ${holder}` : ''}.`;
}

export interface LiveCardsDeps {
  adapter: ProactiveSender;
  appId: string;
  db: Db;
  directory: Pick<DirectoryReader, 'personById' | 'centre' | 'engineersOfCentre' | 'contractsFor'>;
  timeZone: string;
  logger: Logger;
  /** Whether a stored chat's connector may still be called (BOT_SERVICE_URLS). */
  allows(serviceUrl: string): boolean;
  /** Signs the links of the order's files on the redrawn card. */
  fileLink?: FileLinker;
  /** Reads an order that changed elsewhere (see `follow`). */
  orders?: Pick<OrderStore, 'findById'>;
}

/**
 * Changes to orders as the database shows them, whichever process or channel made them
 * (services/desk/change-feed.ts): mail, the provider page, Mesa, another instance.
 */
export interface OrderChanges {
  subscribe(listener: (events: Array<{ _id: ObjectId; version: number }>) => void): () => void;
}

/**
 * Order cards that stay true: every card the Teams channel posts is remembered (order,
 * person, activity, chat), and when the order changes each of them is replaced in place
 * (`updateActivity` in the stored chat) by the card drawn now for that person, with a line
 * saying what changed. Best effort: a card that cannot be updated stays as it was (a click
 * on it is then answered with the current state), and one whose chat is gone is forgotten.
 */
export class LiveCards {
  constructor(private readonly deps: LiveCardsDeps) {}

  private get cards() {
    return this.deps.db.collection<SentCardDoc>(SENT_CARDS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.cards.createIndex({ orderId: 1 });
  }

  /** Remembers a card just posted for `order` to `personId`. */
  async remember(
    order: ServiceOrder,
    personId: string,
    activityId: string,
    reference: Partial<ConversationReference>,
  ): Promise<void> {
    const orderId = order._id.toHexString();
    await this.cards.replaceOne(
      { _id: `${orderId}:${activityId}` },
      { orderId, personId, activityId, reference, version: order.version, updatedAt: new Date() },
      { upsert: true },
    );
  }

  /**
   * Redraws every remembered card of `order` that shows an older version, except the one
   * `exceptActivityId` names (the card a click just answered, which Teams already replaced:
   * it is only marked as showing this version). Each card is claimed first with a conditional
   * write on the version it shows, so however many triggers and instances hear of the same
   * change, each card is redrawn once per version.
   */
  async refresh(order: ServiceOrder, exceptActivityId?: string): Promise<number> {
    const stale = await this.cards
      .find({ orderId: order._id.toHexString(), version: { $lt: order.version } })
      .toArray();
    let updated = 0;
    for (const card of stale) {
      const claimed = await this.cards.updateOne(
        { _id: card._id, version: card.version },
        { $set: { version: order.version, updatedAt: new Date() } },
      );
      if (claimed.modifiedCount !== 1 || card.activityId === exceptActivityId) continue;
      if (await this.redraw(order, card)) updated += 1;
    }
    return updated;
  }

  /**
   * Keeps the cards up to date with every change the feed reports, from any channel. Changes
   * are handled one batch at a time; an order is read only when one of its cards is behind.
   * Returns the unsubscribe.
   */
  follow(changes: OrderChanges): () => void {
    let queue = Promise.resolve();
    return changes.subscribe((events) => {
      queue = queue
        .then(() => this.changed(events))
        .catch((error: unknown) => {
          this.deps.logger.warn({ err: error }, 'order cards not kept up to date');
        });
    });
  }

  private async changed(events: ReadonlyArray<{ _id: ObjectId; version: number }>): Promise<void> {
    const orders = this.deps.orders;
    if (!orders) return;
    for (const e of events) {
      const behind = await this.cards.findOne({ orderId: e._id.toHexString(), version: { $lt: e.version } });
      if (!behind) continue;
      const order = await orders.findById(e._id);
      if (order) await this.refresh(order);
    }
  }

  private async redraw(order: ServiceOrder, card: SentCardDoc): Promise<boolean> {
    const log = this.deps.logger.child({ orderId: card.orderId, activityId: card.activityId });
    if (!card.reference.serviceUrl || !this.deps.allows(card.reference.serviceUrl)) return false;
    const person = await this.deps.directory.personById(card.personId);
    const content = await orderCardJson(
      order,
      person,
      this.deps.directory,
      this.deps.timeZone,
      { text: changeNotice(order), tone: 'info' },
      this.deps.fileLink,
    );
    const failed = await failureOfProactiveTurn(this.deps.adapter, this.deps.appId, card.reference, async (context) => {
      await context.updateActivity({
        id: card.activityId,
        type: 'message',
        attachments: [CardFactory.adaptiveCard(content)],
      });
    });
    if (!failed) {
      log.debug('order card updated in place');
      return true;
    }
    const failure = failed.failure;
    const status = statusOf(failure);
    if (status !== undefined && GONE.has(status)) {
      await this.cards.deleteOne({ _id: card._id });
      log.info({ status }, 'order card gone; forgotten');
    } else {
      // Released, so the next change (or trigger) tries this card again.
      await this.cards.updateOne({ _id: card._id, version: order.version }, { $set: { version: card.version } });
      log.warn({ err: failure, status }, 'order card not updated');
    }
    return false;
  }
}
