import { Attachment, ConversationReference, MessageFactory, TurnContext } from 'botbuilder';
import type { Db } from 'mongodb';
import type { DirectoryReader } from '../services/directory/directory-store';
import type { Person } from '../services/directory/schema';
import { absoluteUrl, publicPdfPath, verifyPath } from '../services/cedula/cedula-paths';
import { AppError, upstreamError, upstreamStep } from '../services/errors';
import type { Logger } from '../services/logger';
import { digestMessage, noticeMessage } from '../services/notifications/messages';
import { STATUS_LABELS } from '../services/workflow';
import type { PendingNotice, ServiceOrder } from '../services/orders/types';
import type { NotificationChannel, NotificationDoc } from '../services/outbox/types';
import { cardAttachment } from './cards/render';
import { ConversationRefDoc, findReference, markReferenceStale } from './conversation-refs';
import { orderCard } from './order-cards';
import { REPLIES } from './replies';
import type { ServiceUrlPolicy } from './service-urls';
import type { LiveCards } from './live-cards';
import type { FileLinker } from '../services/files/file-links';

/** The one adapter call the channel needs (CloudAdapter in the service, a double in tests). */
export interface ProactiveSender {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

/**
 * Runs `logic` in the conversation of `reference` and resolves with what went wrong, if
 * anything. The adapter hands errors thrown inside a turn to onTurnError (which only logs),
 * so a failure inside the turn is caught there and returned with any failure to open it.
 */
export async function failureOfProactiveTurn(
  adapter: ProactiveSender,
  appId: string,
  reference: Partial<ConversationReference>,
  logic: (context: TurnContext) => Promise<void>,
): Promise<{ failure: unknown } | undefined> {
  let failed: { failure: unknown } | undefined;
  try {
    await adapter.continueConversationAsync(appId, reference, async (context) => {
      try {
        await logic(context);
      } catch (failure) {
        failed = { failure };
      }
    });
  } catch (failure) {
    failed = { failure };
  }
  return failed;
}

export interface TeamsChannelDeps {
  adapter: ProactiveSender;
  /** MicrosoftAppId; empty when running against the local emulator. */
  appId: string;
  db: Db;
  directory: Pick<DirectoryReader, 'personById' | 'centre' | 'engineersOfCentre' | 'contractsFor'>;
  timeZone: string;
  logger: Logger;
  /** PUBLIC_BASE_URL: Teams opens only absolute links; unset, cards carry the paths. */
  publicBaseUrl?: string;
  /**
   * Connectors the deployment names. A stored reference elsewhere (saved before the policy,
   * or under another one) is treated as no reference: the notice goes by email, and the
   * service calls no host it was not told to.
   */
  serviceUrls?: ServiceUrlPolicy;
  /** Remembers each order card sent, and redraws the older ones of the order; absent: cards stay as sent. */
  liveCards?: Pick<LiveCards, 'remember' | 'refresh'>;
  /** Signs the links of the order's files on the cards sent. */
  fileLink?: FileLinker;
}

/** How long a reference lookup is reused between canReach and send. */
const REFERENCE_REUSE_MS = 5_000;

type Found = { ref: ConversationRefDoc; person: Person | null };

/** HTTP statuses from Teams that mean "this conversation cannot be reached any more". */
const GONE = new Set([403, 404]);
const UNAVAILABLE = 'No fue posible avisar por Teams.';

/** Lines a Teams digest lists at most, and the card size it stays under (Teams' limit is about 28 KB a message). */
const DIGEST_MAX_LINES = 20;
const DIGEST_MAX_BYTES = 20_000;

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The card of a `cedula_issued` notice: the catalogue's line, the verification code, a
 * download action (the public PDF route, keyed by the unguessable code) and a verify action.
 */
function cedulaCard(order: ServiceOrder, code: string, text: string, baseUrl: string | undefined) {
  return cardAttachment('cedula', {
    notice: text,
    folio: order.folio,
    code,
    downloadUrl: absoluteUrl(baseUrl, publicPdfPath(code)),
    verifyUrl: absoluteUrl(baseUrl, verifyPath(code)),
  });
}

/**
 * Notifications through Teams: a proactive message in the person's stored 1:1 conversation
 * (their own serviceUrl), carrying the order card drawn for that person's role. The send is
 * awaited; when Teams answers 403/404 (bot removed, chat gone) the reference is marked stale
 * and an UPSTREAM error with `details.gone = true` is thrown, which the dispatcher records so
 * another channel (email) can take over.
 */
export class TeamsNotificationChannel implements NotificationChannel {
  readonly name = 'teams';

  constructor(private readonly deps: TeamsChannelDeps) {}

  /** canReach and send of one notification follow each other: the lookup is reused for a few seconds. */
  private readonly recent = new Map<string, { at: number; found: Promise<Found | null> }>();

  private referenceFor(recipient: PendingNotice['recipient']): Promise<Found | null> {
    const personId = recipient.personId;
    if (!personId) return Promise.resolve(null);
    const now = Date.now();
    const hit = this.recent.get(personId);
    if (hit && now - hit.at < REFERENCE_REUSE_MS) return hit.found;
    if (this.recent.size > 1_000) this.recent.clear();
    const found = upstreamStep('teams: find conversation', UNAVAILABLE, async () => {
      const person = await this.deps.directory.personById(personId);
      const ref = await findReference(this.deps.db, { personId, aadObjectId: person?.aadObjectId });
      if (ref && this.deps.serviceUrls && !this.deps.serviceUrls.allows(ref.serviceUrl)) {
        this.deps.logger.warn(
          { refId: ref._id, allowed: this.deps.serviceUrls.description },
          'stored conversation names a connector not allowed; not used',
        );
        return null;
      }
      return ref ? { ref, person } : null;
    });
    this.recent.set(personId, { at: now, found });
    found.catch(() => this.recent.delete(personId));
    return found;
  }

  /** The person's live reference, or the "gone" error that sends the notice to email. */
  private async reachable(recipient: PendingNotice['recipient']): Promise<Found> {
    const found = await this.referenceFor(recipient);
    if (found) return found;
    throw new AppError(
      'UPSTREAM',
      `no Teams conversation for ${recipient.personId ?? '(no person)'}`,
      'No hay una conversación de Teams con esta persona.',
      { gone: true },
    );
  }

  async canReach(recipient: PendingNotice['recipient']): Promise<boolean> {
    return (await this.referenceFor(recipient)) !== null;
  }

  async send(notification: NotificationDoc, order: ServiceOrder): Promise<void> {
    const found = await this.reachable(notification.recipient);
    // The words come from the notice catalogue, the same the email channel uses; only the card is Teams'.
    const text = noticeMessage(notification.event, order, { publicBaseUrl: this.deps.publicBaseUrl }).line;
    const card = await upstreamStep('teams: draw card', UNAVAILABLE, () => this.noticeCard(notification, order, found));
    const log = this.deps.logger.child({
      notificationId: notification._id,
      orderId: order._id.toHexString(),
      refId: found.ref._id,
    });
    const activityId = await this.post(found, notification.recipient, card, text, log);
    await this.keepAlive(order, notification.recipient.personId, activityId, found.ref.reference, log);
  }

  /**
   * Remembers the card just sent (unless it is the Cédula's) and redraws the older cards of
   * the order; a failure here is logged and never fails the notice, which was delivered.
   */
  private async keepAlive(
    order: ServiceOrder,
    personId: string | undefined,
    activityId: string | undefined,
    reference: ConversationRefDoc['reference'],
    log: Logger,
  ): Promise<void> {
    const live = this.deps.liveCards;
    if (!live) return;
    try {
      if (personId && activityId) await live.remember(order, personId, activityId, reference);
      await live.refresh(order, activityId);
    } catch (error) {
      log.warn({ err: error }, 'order cards not kept up to date');
    }
  }

  private async noticeCard(notification: NotificationDoc, order: ServiceOrder, found: Found): Promise<Attachment> {
    const code = notification.event === 'cedula_issued' ? order.cedula?.code : undefined;
    return code
      ? cedulaCard(order, code, '', this.deps.publicBaseUrl)
      : // The message's text says what happened; the card shows the order once, without repeating it.
        orderCard(order, found.person, this.deps.directory, this.deps.timeZone, undefined, this.deps.fileLink);
  }

  /**
   * Several notices for one person as ONE message: the catalogue's digest lead, then a line
   * per notice (folio, state now, what happened) with a «Ver orden» button that asks the bot
   * for that order's card, actions included. A single notice goes as usual.
   */
  async sendDigest(told: readonly { doc: NotificationDoc; order: ServiceOrder }[]): Promise<void> {
    if (told.length === 0) return;
    if (told.length === 1) return this.send(told[0]!.doc, told[0]!.order);
    const recipient = told[0]!.doc.recipient;
    const found = await this.reachable(recipient);
    const digest = digestMessage(told.map(({ doc, order }) => ({ event: doc.event, order })));
    const card = this.digestCard(digest.line, told, recipient.role);
    const log = this.deps.logger.child({ notificationIds: told.map((i) => i.doc._id), refId: found.ref._id });
    await this.post(found, recipient, card, digest.line, log);
  }

  /**
   * The digest card, listing as many notices as fit in one Teams message (Teams refuses one
   * over about 28 KB): at most DIGEST_MAX_LINES, fewer when long lines make the card heavier
   * than DIGEST_MAX_BYTES. A closing line counts the rest and names the list that shows them.
   */
  private digestCard(
    lead: string,
    told: readonly { doc: NotificationDoc; order: ServiceOrder }[],
    role: string,
  ): Attachment {
    const line = ({ doc, order }: { doc: NotificationDoc; order: ServiceOrder }) => ({
      folio: order.folio,
      status: STATUS_LABELS[order.status],
      line: noticeMessage(doc.event, order, { publicBaseUrl: this.deps.publicBaseUrl }).line,
    });
    for (let shown = Math.min(told.length, DIGEST_MAX_LINES); ; shown = Math.ceil(shown / 2)) {
      const rest = told.length - shown;
      const card = cardAttachment('digest', {
        lead,
        items: told.slice(0, shown).map(line),
        more: rest > 0 ? REPLIES.digestMore(rest, role) : '',
      });
      if (shown === 1 || Buffer.byteLength(JSON.stringify(card)) <= DIGEST_MAX_BYTES) return card;
    }
  }

  /**
   * Posts one message into the stored conversation and returns the id Teams gave it; a
   * failure is rethrown after the turn, where the dispatcher sees it.
   */
  private async post(
    found: Found,
    recipient: PendingNotice['recipient'],
    card: Attachment,
    text: string,
    log: Logger,
  ): Promise<string | undefined> {
    let activityId: string | undefined;
    const failed = await failureOfProactiveTurn(
      this.deps.adapter,
      this.deps.appId,
      found.ref.reference,
      async (context) => {
        activityId = (await context.sendActivity(MessageFactory.attachment(card, text)))?.id;
      },
    );
    if (!failed) {
      log.debug('Teams notification sent');
      return activityId;
    }
    const error = failed.failure;
    const status = statusOf(error);
    if (status !== undefined && GONE.has(status)) {
      this.recent.delete(recipient.personId ?? '');
      // A failure to mark it must not keep the notice from falling back to email at once:
      // the reference is marked at its next 403/404.
      await markReferenceStale(this.deps.db, found.ref._id).catch((stale: unknown) =>
        log.warn({ err: upstreamError('teams: mark reference stale', stale, UNAVAILABLE) }, 'could not mark stale'),
      );
      log.warn({ status }, 'Teams conversation gone; reference marked stale');
      throw new AppError(
        'UPSTREAM',
        `Teams answered ${status}: conversation gone, reference marked stale`,
        'No fue posible avisar por Teams.',
        { status, gone: true },
        { cause: error },
      );
    }
    throw new AppError(
      'UPSTREAM',
      `Teams send failed${status ? ` (${status})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
      'No fue posible avisar por Teams.',
      { status },
      { cause: error },
    );
  }
}
