import { ActivityHandler, ActivityTypes, ConversationState, InvokeResponse, Storage, TurnContext } from 'botbuilder';
import { DialogSet, DialogState, DialogStateManagerConfiguration, DialogTurnStatus } from 'botbuilder-dialogs';
import type { Db } from 'mongodb';
import { AppError } from '../services/errors';
import type { Logger } from '../services/logger';
import type { OrderServices } from '../services/orders/order-services';
import { reportOrder } from '../services/orders/report-order';
import { answerCardAction } from './card-actions';
import { Command, isReplyCommand, parseCommand, runCommand } from './commands';
import { saveConversationReference } from './conversation-refs';
import { Identity, identify } from './identity';
import { IntakeDialog, INTAKE_DIALOG } from './intake/intake-dialog';
import type { IntakeDraft } from './intake/draft';
import { answerRepeatedConfirmation, IntakeReceipt, ReceiptProperty } from './intake/receipt';
import { looksLikeReport, prefillFrom } from './intake/prefill';
import { errorCardJson } from './order-cards';
import {
  addToOrder,
  askWhereItBelongs,
  followUpChoiceOf,
  mayBeFollowUp,
  PendingFollowUp,
  PendingFollowUpProperty,
} from './follow-ups';
import { REPLIES } from './replies';
import type { ReportReads } from '../services/reports/report-routes';
import { assetsAt } from '../services/assets/assets-at';
import { EQUIPMENT_LABELS } from '../services/orders/types';
import type { LiveCards } from './live-cards';
import { addToDraft } from './intake/draft-files';
import { prefillRelated, relatableOrder, relatedReportOf } from './intake/related-report';
import { FileRef, fileRefsOf, isFileAttachment, receiveFiles, ReceivedFiles, TeamsFilesDeps } from './teams-files';
import type { AttachmentMeta, ServiceOrder } from '../services/orders/types';

/** Longest message the bot reads; longer ones are refused with a clear answer. */
export const MAX_TEXT_LENGTH = 4000;
const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams attaches the formatted copy of every message as text/html; that one is expected. */
const EXPECTED_ATTACHMENTS = new Set(['text/html', 'text/plain', CARD_CONTENT_TYPE]);
/**
 * Where botbuilder-dialogs looks in the turn state for its memory-scope configuration. It
 * builds one afresh on every turn that lacks it, though it depends on nothing of the turn:
 * the bot keeps the first and hands it to every later turn.
 */
const DIALOG_STATE_CONFIGURATION = 'DialogStateManagerConfiguration';

export interface DeskBotDeps {
  db: Db;
  /** Where dialog state lives (MongoStorage in the service). */
  storage: Storage;
  /** The use cases' stores and rules, the same ones the mail intake gets. */
  services: OrderServices;
  /** Every centre, for people who may report for any of them. */
  centres(): Promise<Array<{ id: string; name: string }>>;
  logger: Logger;
  /** When set, activities from any other tenant are refused. */
  tenantId?: string;
  /** The SLA report the read API serves; absent: `reporte` answers that it is unavailable. */
  reports?: ReportReads;
  /** Redraws the cards already sent for an order after it changed here; absent: they stay as sent. */
  liveCards?: Pick<LiveCards, 'refresh'>;
  /** Receives photos and files sent in the chat; absent: the bot says it cannot take files. */
  files?: TeamsFilesDeps;
}

/**
 * The desk's Teams front door. Thin: it identifies the sender, stores their conversation
 * reference, then either continues the intake dialog, answers a command, or runs one use
 * case for a card action; every rule lives in services/.
 */
export class DeskBot extends ActivityHandler {
  private readonly conversationState: ConversationState;
  private readonly dialogs: DialogSet;
  private readonly receipt: ReceiptProperty;
  private readonly pendingFollowUp: PendingFollowUpProperty;
  private readonly log: Logger;
  private stateConfiguration: DialogStateManagerConfiguration | undefined;

  constructor(private readonly deps: DeskBotDeps) {
    super();
    this.log = deps.logger;
    this.conversationState = new ConversationState(deps.storage);
    this.dialogs = new DialogSet(this.conversationState.createProperty<DialogState>('dialogState'));
    this.receipt = this.conversationState.createProperty<IntakeReceipt | undefined>('intakeReceipt');
    this.pendingFollowUp = this.conversationState.createProperty<PendingFollowUp | undefined>('pendingFollowUp');
    this.dialogs.add(
      new IntakeDialog({
        receipt: this.receipt,
        report: (input) => reportOrder(deps.services, input),
        findPerson: async (key) =>
          key.includes('@')
            ? deps.services.directory.personByEmail(key)
            : /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(key)
              ? deps.services.directory.personById(key)
              : null,
        centreName: async (id) => (await deps.services.directory.centre(id))?.name ?? id,
        fileLink: deps.services.fileLink,
        assetsAt: deps.services.assets
          ? async (centreId, place) =>
              (await assetsAt(deps.services.assets!, centreId, place)).map((a) => ({
                inventoryNumber: a.inventoryNumber,
                title: `${EQUIPMENT_LABELS[a.type]} ${a.brandModel} (${a.inventoryNumber})`,
              }))
          : undefined,
      }),
    );
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      if ((context.activity.membersAdded ?? []).some((m) => m.id !== botId))
        await context.sendActivity(REPLIES.welcome);
      await next();
    });
  }

  /** Tenant check and reference storage come before any handler. */
  override async run(context: TurnContext): Promise<void> {
    if (!this.fromAllowedTenant(context)) {
      await this.refuseTenant(context);
      return;
    }
    await this.remember(context);
    await super.run(context);
  }

  private fromAllowedTenant(context: TurnContext): boolean {
    const expected = this.deps.tenantId;
    if (!expected) return true;
    const a = context.activity;
    const tenant = a.conversation?.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    if (tenant && tenant.toLowerCase() === expected.toLowerCase()) return true;
    this.log.warn({ activityId: a.id, tenantId: tenant ?? null, type: a.type }, 'activity from another tenant refused');
    return false;
  }

  /** A polite refusal, in the form the activity expects (a message, or an invoke's card). */
  private async refuseTenant(context: TurnContext): Promise<void> {
    if (context.activity.type === ActivityTypes.Message) await context.sendActivity(REPLIES.wrongTenant);
    if (context.activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({
        type: 'invokeResponse',
        value: {
          status: 200,
          body: { statusCode: 200, type: CARD_CONTENT_TYPE, value: errorCardJson(REPLIES.wrongTenant) },
        },
      });
    }
  }

  /**
   * Stores the sender's reference (an unchanged one is not rewritten on every activity; see
   * saveConversationReference).
   */
  private async remember(context: TurnContext): Promise<void> {
    const identity = await identify(context, this.deps.services.directory, this.log);
    const reference = TurnContext.getConversationReference(context.activity);
    const a = context.activity;
    const saved = await saveConversationReference(
      this.deps.db,
      reference,
      a.from?.aadObjectId,
      undefined,
      identity.person?.id,
    );
    this.log.debug({ activityId: a.id, refId: saved?._id }, 'conversation reference saved');
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const text = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').trim();
    if (text.length > MAX_TEXT_LENGTH) {
      await context.sendActivity(REPLIES.tooLong(MAX_TEXT_LENGTH));
      return;
    }
    const refs = this.deps.files ? fileRefsOf(context.activity.attachments) : [];
    const unexpected = (context.activity.attachments ?? []).filter(
      (a) => !EXPECTED_ATTACHMENTS.has(a.contentType) && !(refs.length > 0 && isFileAttachment(a)),
    );
    const hasValue = context.activity.value !== undefined && context.activity.value !== null;
    if (unexpected.length > 0) {
      await context.sendActivity(this.deps.files ? REPLIES.files.notAFile : REPLIES.attachmentsIgnored);
      if (!text && refs.length === 0) return;
    }
    const received = refs.length > 0 ? await this.receive(context, refs) : undefined;
    if (this.stateConfiguration) context.turnState.set(DIALOG_STATE_CONFIGURATION, this.stateConfiguration);
    const dc = await this.dialogs.createContext(context);
    this.stateConfiguration ??= context.turnState.get(DIALOG_STATE_CONFIGURATION);
    const command = parseCommand(text);
    const cancelPressed = (context.activity.value as { intake?: unknown } | undefined)?.intake === 'cancel';
    let reported = false;
    if (command?.kind === 'cancel' || cancelPressed) {
      await context.sendActivity(dc.activeDialog ? REPLIES.intake.cancelled : REPLIES.intake.nothingToCancel);
      if (dc.activeDialog) await dc.cancelAllDialogs();
    } else if (received && dc.activeDialog) {
      // Files during a report: they go with the draft and reach the order at confirm.
      addToDraft(dc, received.stored);
      if (text) reported = await this.continueIntake(context, dc);
      else await dc.repromptDialog();
    } else if (received && received.stored.length > 0) {
      await this.answerFiles(context, dc, text, received.stored);
    } else if (dc.activeDialog) {
      if (command?.kind === 'help') {
        await context.sendActivity(REPLIES.help);
        await dc.repromptDialog();
      } else {
        reported = await this.continueIntake(context, dc);
      }
    } else if (relatedReportOf(context.activity.value) !== null) {
      await this.startRelatedReport(context, dc);
    } else if (followUpChoiceOf(context.activity.value) !== null) {
      await this.answerFollowUpChoice(context, dc);
    } else if (await answerRepeatedConfirmation(context, this.receipt)) {
      // A confirmation repeated after its report was made: answered with the folio already given.
    } else if (!text && !hasValue) {
      await context.sendActivity(REPLIES.emptyText);
    } else {
      await this.answer(context, dc, command, text);
    }
    try {
      await this.conversationState.saveChanges(context);
    } catch (error) {
      // A repeat of this confirmation ran at the same time and saved first: the report is
      // made once either way (its id is the draft's), and the person has their folio.
      if (!reported || !AppError.is(error, 'CONFLICT')) throw error;
      this.log.info(
        { activityId: context.activity.id },
        'concurrent repeat of an intake confirmation: its state save gave way',
      );
    }
  }

  private async answer(
    context: TurnContext,
    dc: Awaited<ReturnType<DialogSet['createContext']>>,
    command: Command | null,
    text: string,
  ): Promise<void> {
    const identity = await identify(context, this.deps.services.directory, this.log);
    if (isReplyCommand(command)) {
      await runCommand(
        {
          turn: context,
          identity,
          services: this.deps.services,
          logger: this.log,
          centres: this.deps.centres,
          reports: this.deps.reports,
          orderChanged: (order) => this.cardsChanged(order),
        },
        command,
      );
      return;
    }
    if (command?.kind === 'phone_report') {
      if (!identity.person?.roles.includes('analyst')) {
        await context.sendActivity(REPLIES.notStaff);
        return;
      }
      await context.sendActivity(REPLIES.intake.startPhone);
      await dc.beginDialog(INTAKE_DIALOG, {
        mode: 'phone',
        actorId: identity.person.id,
        centreChoices: await this.deps.centres(),
      } satisfies IntakeDraft);
      return;
    }
    // A requester with open orders is asked whether a free text belongs to one of them.
    if (!command && identity.person && mayBeFollowUp(text)) {
      if (await askWhereItBelongs(context, this.deps.services, this.pendingFollowUp, identity.person, text)) return;
    }
    if (command?.kind !== 'report' && !looksLikeReport(text)) {
      await context.sendActivity(REPLIES.welcome);
      return;
    }
    const draft = await this.startDraft(context, identity, command?.kind === 'report' ? '' : text);
    const status = (await dc.beginDialog(INTAKE_DIALOG, draft)).status;
    this.log.debug({ activityId: context.activity.id, status: DialogTurnStatus[status] }, 'intake started');
  }

  private async continueIntake(
    context: TurnContext,
    dc: Awaited<ReturnType<DialogSet['createContext']>>,
  ): Promise<boolean> {
    return (await dc.continueDialog()).status === DialogTurnStatus.complete && Boolean(await this.receipt.get(context));
  }

  /** Downloads and stores the files of the message, and says what was kept and what was refused, and why. */
  private async receive(context: TurnContext, refs: FileRef[]): Promise<ReceivedFiles> {
    const key = context.activity.id ?? `${context.activity.conversation.id}:${Date.now()}`;
    const received = await receiveFiles(this.deps.files!, key, refs);
    await context.sendActivity(REPLIES.files.received(received));
    return received;
  }

  /**
   * Files sent outside a report: a requester with open orders is asked which one they go to
   * (or a new report); anyone else starts a new report carrying them.
   */
  private async answerFiles(
    context: TurnContext,
    dc: Awaited<ReturnType<DialogSet['createContext']>>,
    text: string,
    stored: AttachmentMeta[],
  ): Promise<void> {
    if (stored.length === 0) return;
    const identity = await identify(context, this.deps.services.directory, this.log);
    const words = text || REPLIES.files.onlyFiles;
    if (identity.person) {
      const { services } = this.deps;
      if (await askWhereItBelongs(context, services, this.pendingFollowUp, identity.person, words, stored)) return;
    }
    const draft = await this.startDraft(context, identity, text);
    draft.attachments = stored;
    await dc.beginDialog(INTAKE_DIALOG, draft);
  }

  /**
   * A click on the follow-up card: the kept message goes to the chosen order (only one of
   * those offered for it), or starts a new report. The message is used once either way.
   */
  private async answerFollowUpChoice(
    context: TurnContext,
    dc: Awaited<ReturnType<DialogSet['createContext']>>,
  ): Promise<void> {
    const choice = followUpChoiceOf(context.activity.value);
    const pending = await this.pendingFollowUp.get(context);
    const identity = await identify(context, this.deps.services.directory, this.log);
    if (choice === 'malformed' || choice === null || !pending || !identity.person) {
      await context.sendActivity(REPLIES.followUp.expired);
      return;
    }
    if (choice.followUp === 'new') {
      await this.pendingFollowUp.delete(context);
      const draft = await this.startDraft(context, identity, pending.attachments ? '' : pending.text);
      if (pending.attachments) draft.attachments = pending.attachments;
      await dc.beginDialog(INTAKE_DIALOG, draft);
      return;
    }
    if (!pending.orderIds.includes(choice.orderId.toLowerCase())) {
      await context.sendActivity(REPLIES.followUp.notOffered);
      return;
    }
    const log = this.log.child({ activityId: context.activity.id });
    const changed = (order: ServiceOrder) => this.cardsChanged(order);
    const { services } = this.deps;
    const files = pending.attachments ?? [];
    if (await addToOrder(context, services, identity.person, choice.orderId, pending.text, log, changed, files))
      await this.pendingFollowUp.delete(context);
  }

  /**
   * «Crear reporte relacionado» on a closed order the requester can no longer reopen: a new
   * report linked to it, with its equipment and place already filled in; the person is told
   * why it is a new report and is asked what fails now.
   */
  private async startRelatedReport(
    context: TurnContext,
    dc: Awaited<ReturnType<DialogSet['createContext']>>,
  ): Promise<void> {
    const id = relatedReportOf(context.activity.value);
    const identity = await identify(context, this.deps.services.directory, this.log);
    const order =
      id && id !== 'malformed' ? await relatableOrder(this.deps.services.orders, identity.person, id) : null;
    if (!order) {
      await context.sendActivity(REPLIES.intake.relatedNotFound);
      return;
    }
    const draft = await this.startDraft(context, identity, '', REPLIES.intake.startRelated(order.folio));
    await dc.beginDialog(INTAKE_DIALOG, prefillRelated(draft, order));
  }

  /** A new draft: the person's data from the directory and whatever their message already says. */
  private async startDraft(
    context: TurnContext,
    identity: Identity,
    text: string,
    lead: string = REPLIES.intake.start,
  ): Promise<IntakeDraft> {
    const prefill = text ? prefillFrom(text) : {};
    const draft: IntakeDraft = { mode: 'self', ...prefill };
    const person = identity.person;
    if (person) {
      draft.requesterId = person.id;
      const own = await Promise.all(
        person.centreIds.map(async (id) => ({ id, name: (await this.deps.services.directory.centre(id))?.name ?? id })),
      );
      draft.centreChoices = own.length > 0 ? own : await this.deps.centres();
      if (own.length === 1) draft.centreId = own[0]!.id;
      if (draft.extension === undefined && person.extension) draft.extension = person.extension;
      await context.sendActivity(lead);
    } else {
      draft.unknownRequester = { name: identity.name };
      if (identity.email) draft.unknownRequester.email = identity.email;
      draft.centreChoices = await this.deps.centres();
      await context.sendActivity(`${REPLIES.intake.start} ${REPLIES.intake.unknownUser}`);
    }
    return draft;
  }

  /**
   * The order changed from this chat: its other cards are redrawn (the one clicked, if any,
   * is replaced by the invoke's answer). A failure is logged; the change itself stands.
   */
  private async cardsChanged(order: ServiceOrder, exceptActivityId?: string): Promise<void> {
    try {
      await this.deps.liveCards?.refresh(order, exceptActivityId);
    } catch (error) {
      this.log.warn({ err: error, orderId: order._id.toHexString() }, 'order cards not kept up to date');
    }
  }

  /** `adaptiveCard/action` (Action.Execute) is answered here, whole; other invokes go to botbuilder. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const identity = await identify(context, this.deps.services.directory, this.log);
    const value = await answerCardAction(
      this.deps.services,
      context.activity.value,
      identity.person,
      this.log.child({ activityId: context.activity.id }),
      (order) => this.cardsChanged(order, context.activity.replyToId),
    );
    return { status: 200, body: { statusCode: 200, type: CARD_CONTENT_TYPE, value } };
  }
}
