import { Activity, MessageFactory, TurnContext } from 'botbuilder';
import { ObjectId } from 'mongodb';
import {
  ChoicePrompt,
  ComponentDialog,
  DialogTurnResult,
  ListStyle,
  PromptOptions,
  PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  WaterfallStepContext,
} from 'botbuilder-dialogs';
import { AppError } from '../../services/errors';
import type { Person } from '../../services/directory/schema';
import {
  AttachmentMeta,
  EQUIPMENT_LABELS,
  EQUIPMENT_TYPES,
  EquipmentType,
  ServiceOrder,
} from '../../services/orders/types';
import type { ReportOrderInput } from '../../services/orders/report-order';
import { cardAttachment } from '../cards/render';
import { REPLIES } from '../replies';
import { EDITABLE_FIELDS, EditableField, FIELD_TITLES, FIELD_WORDS, IntakeDraft } from './draft';
import { confirms, EQUIPMENT_SYNONYMS, fold, saysNone } from '../../services/vocabulary';
import type { IntakeReceipt, ReceiptProperty } from './receipt';
import { FileLinker, INLINE_IMAGE_TYPES } from '../../services/files/file-links';

export const INTAKE_DIALOG = 'intake';
const STEPS = 'intake-steps';
const P = {
  requester: 'p-requester',
  email: 'p-email',
  callerEmail: 'p-caller-email',
  callerContact: 'p-caller-contact',
  equipment: 'p-equipment',
  centre: 'p-centre',
  location: 'p-location',
  inventory: 'p-inventory',
  description: 'p-description',
  extension: 'p-extension',
  confirm: 'p-confirm',
} as const;

/** What the intake needs from the rest of the service. */
export interface IntakeDeps {
  /** The report-order use case, already bound to its store and directory. */
  report(input: ReportOrderInput): Promise<ServiceOrder>;
  /** A person by directory id or email (phone reports name the requester this way). */
  findPerson(idOrEmail: string): Promise<Person | null>;
  centreName(id: string): Promise<string>;
  /** Where the conversation keeps its last confirmed report, for repeats after the dialog ended. */
  receipt: ReceiptProperty;
  /** Registered equipment at a place of a centre, offered when the inventory number is asked. */
  assetsAt?(centreId: string, place: string): Promise<Array<{ inventoryNumber: string; title: string }>>;
  /** Signs links to the draft's files for the summary card (thumbnails of photos); absent: names only. */
  fileLink?: FileLinker;
}

/** A size as people read it: bytes, KB or MB. */
export function readableSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The draft's files as the summary card lists them before «confirmar»: each with its name and
 * size, photos also as thumbnails through links signed for the report's future order.
 */
function draftFilesData(facts: SummaryFacts, links: FileLinker | undefined) {
  const files = (facts.files ?? []).filter((f) => f.fileId);
  const order =
    facts.orderId && /^[0-9a-f]{24}$/.test(facts.orderId) ? { _id: new ObjectId(facts.orderId) } : undefined;
  const linked = files.map((f) => ({
    name: f.filename,
    text: `📎 ${f.filename} (${readableSize(f.size)})`,
    url: (order && links?.(order, f, { draft: true })) ?? '',
    image: INLINE_IMAGE_TYPES.has(f.contentType),
  }));
  const images = linked.filter((f) => f.image && f.url);
  return {
    hasFiles: linked.length > 0,
    filesTitle: `Archivos (${linked.length})`,
    fileLines: linked,
    images,
    hasImages: images.length > 0,
  };
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[a-z]{2,}$/i;

/** A caller's full name as an analyst types it: letters, at least two words. */
const CALLER_NAME = /^\p{L}[\p{L}.'-]*(\s+\p{L}[\p{L}.'-]*)+$/u;

/** An extension (up to 6 digits) or a phone number, as the order's contact records them. */
export function contactIn(text: string): { extension: string } | { phone: string } | null {
  const trimmed = text.trim();
  const digits = trimmed.replace(/\s/g, '');
  if (/^[0-9]{1,6}$/.test(digits)) return { extension: digits };
  if (/^[0-9 +()-]{7,20}$/.test(trimmed) && /[0-9]{7}/.test(trimmed.replace(/[^0-9]/g, ''))) return { phone: trimmed };
  return null;
}

export type SummaryDecision = { kind: 'confirm' } | { kind: 'edit'; field: EditableField } | { kind: 'cancel' };

/** Reads the answer to the summary: a card button (`value.intake`) or typed words. */
export function summaryDecision(activity: Partial<Activity>): SummaryDecision | null {
  const value = activity.value as { intake?: unknown; field?: unknown } | undefined;
  if (value && typeof value === 'object') {
    if (value.intake === 'confirm') return { kind: 'confirm' };
    if (value.intake === 'cancel') return { kind: 'cancel' };
    if (value.intake === 'edit' && (EDITABLE_FIELDS as readonly unknown[]).includes(value.field))
      return { kind: 'edit', field: value.field as EditableField };
  }
  const text = fold(activity.text ?? '').trim();
  if (confirms(text)) return { kind: 'confirm' };
  if (/^(corregir|cambiar|modificar|editar)\b/.test(text)) {
    const hit = FIELD_WORDS.find(([, words]) => words.test(text));
    return hit ? { kind: 'edit', field: hit[0] } : null;
  }
  return null;
}

/** What the summary card shows. */
type SummaryFacts = {
  requesterName: string;
  relatedTo: string;
  /** The report's future order id, which links to its files are signed for. */
  orderId?: string;
  files?: AttachmentMeta[];
  equipment: string;
  centre: string;
  location: string;
  inventory: string;
  description: string;
  extension: string;
};

/**
 * The summary's confirm-or-correct prompt. Its options, stored with the dialog state and read
 * and written on every turn, keep the summary's facts rather than the rendered card (a
 * fifth of the size); the card is drawn whenever the prompt asks, a reprompt included.
 */
class SummaryPrompt extends TextPrompt {
  constructor(
    id: string,
    validator: ConstructorParameters<typeof TextPrompt>[1],
    private readonly fileLink?: FileLinker,
  ) {
    super(id, validator);
  }

  protected override async onPrompt(
    context: TurnContext,
    state: unknown,
    options: PromptOptions,
    isRetry: boolean,
  ): Promise<void> {
    if (isRetry && options.retryPrompt) return super.onPrompt(context, state, options, isRetry);
    const facts = options.validations as SummaryFacts;
    const card = cardAttachment('intakeSummary', {
      ...facts,
      // A summary stored before the link existed has no such fact.
      relatedTo: facts.relatedTo ?? '',
      ...draftFilesData(facts, this.fileLink),
      fields: EDITABLE_FIELDS.map((field) => ({ field, title: FIELD_TITLES[field] })),
    });
    await context.sendActivity(MessageFactory.attachment(card, REPLIES.intake.summary));
  }
}

/**
 * The guided report in Spanish: who (phone reports only), email (unknown people without
 * one), equipment, centre, room/area, inventory number, description, extension, then a
 * summary card to confirm or correct. Every field already in the draft (from the directory
 * or from the person's first message) is skipped. The draft is the dialog's options, so it
 * is stored with the dialog state and survives a restart.
 */
export class IntakeDialog extends ComponentDialog {
  constructor(private readonly deps: IntakeDeps) {
    super(INTAKE_DIALOG);
    this.initialDialogId = STEPS;
    const textPrompt = (id: string, ok: (text: string) => boolean) =>
      new TextPrompt(
        id,
        async (p: PromptValidatorContext<string>) => p.recognized.succeeded && ok((p.recognized.value ?? '').trim()),
      );
    this.addDialog(
      new TextPrompt(P.requester, async (p) => {
        const text = (p.recognized.value ?? '').trim();
        if (!p.recognized.succeeded) return false;
        return (await this.deps.findPerson(text)) !== null || CALLER_NAME.test(text);
      }),
    );
    this.addDialog(textPrompt(P.email, (t) => EMAIL.test(t)));
    this.addDialog(textPrompt(P.callerEmail, (t) => EMAIL.test(t) || saysNone(t)));
    this.addDialog(textPrompt(P.callerContact, (t) => contactIn(t) !== null));
    this.addDialog(new ChoicePrompt(P.equipment, undefined, 'es-es').configure({ style: ListStyle.suggestedAction }));
    this.addDialog(new ChoicePrompt(P.centre, undefined, 'es-es').configure({ style: ListStyle.suggestedAction }));
    this.addDialog(textPrompt(P.location, (t) => t.length >= 2 && t.length <= 200));
    this.addDialog(textPrompt(P.inventory, (t) => t.length >= 1 && t.length <= 50));
    this.addDialog(textPrompt(P.description, (t) => t.length >= 3 && t.length <= 2000));
    this.addDialog(textPrompt(P.extension, (t) => saysNone(t) || contactIn(t) !== null));
    this.addDialog(
      new SummaryPrompt(P.confirm, async (p) => summaryDecision(p.context.activity) !== null, deps.fileLink),
    );
    this.addDialog(
      new WaterfallDialog(STEPS, [
        this.requesterStep.bind(this),
        this.afterRequester.bind(this),
        this.emailStep.bind(this),
        this.afterEmail.bind(this),
        this.equipmentStep.bind(this),
        this.afterEquipment.bind(this),
        this.centreStep.bind(this),
        this.afterCentre.bind(this),
        this.locationStep.bind(this),
        this.afterLocation.bind(this),
        this.inventoryStep.bind(this),
        this.afterInventory.bind(this),
        this.descriptionStep.bind(this),
        this.afterDescription.bind(this),
        this.extensionStep.bind(this),
        this.afterExtension.bind(this),
        this.summaryStep.bind(this),
        this.finishStep.bind(this),
      ]),
    );
  }

  private draft(step: WaterfallStepContext): IntakeDraft {
    return step.options as IntakeDraft;
  }

  private ask(step: WaterfallStepContext, id: string, prompt: string, retry: string): Promise<DialogTurnResult> {
    return step.prompt(id, { prompt, retryPrompt: retry });
  }

  private async requesterStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    if (!d.orderId) {
      d.orderId = new ObjectId().toHexString();
      await this.deps.receipt.delete(step.context);
    }
    if (d.mode !== 'phone' || d.requesterId) return step.next();
    return this.ask(step, P.requester, REPLIES.intake.askRequester, REPLIES.intake.requesterNotFound);
  }

  private async afterRequester(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    if (typeof step.result === 'string') {
      const person = await this.deps.findPerson(step.result.trim());
      if (person) {
        d.requesterId = person.id;
        d.requesterName = person.name;
        const centres = await Promise.all(
          person.centreIds.map(async (id) => ({ id, name: await this.deps.centreName(id) })),
        );
        if (centres.length > 0) d.centreChoices = centres;
        if (centres.length === 1) d.centreId = centres[0]!.id;
        if (d.extension === undefined && person.extension) d.extension = person.extension;
        await step.context.sendActivity(REPLIES.intake.requesterFound(person.name));
      } else {
        const name = step.result.trim().replace(/\s+/g, ' ');
        d.unknownRequester = { name };
        d.requesterName = name;
        await step.context.sendActivity(REPLIES.intake.unknownCaller(name));
      }
    }
    return step.next();
  }

  private async emailStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    if (!d.unknownRequester || d.unknownRequester.email !== undefined) return step.next();
    // A caller may have no mail: the desk then calls them back.
    if (d.mode === 'phone')
      return this.ask(step, P.callerEmail, REPLIES.intake.askCallerEmail, REPLIES.intake.badCallerEmail);
    return this.ask(step, P.email, REPLIES.intake.askEmail, REPLIES.intake.badEmail);
  }

  private async afterEmail(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    if (typeof step.result === 'string' && d.unknownRequester) {
      const text = step.result.trim();
      d.unknownRequester.email = EMAIL.test(text) ? text.toLowerCase() : null;
    }
    return step.next();
  }

  private async equipmentStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (this.draft(step).equipmentType) return step.next();
    return step.prompt(P.equipment, {
      prompt: REPLIES.intake.askEquipment,
      retryPrompt: REPLIES.intake.retryEquipment,
      choices: EQUIPMENT_TYPES.map((type) => ({
        value: type,
        action: { type: 'imBack', title: EQUIPMENT_LABELS[type], value: EQUIPMENT_LABELS[type] },
        synonyms: [EQUIPMENT_LABELS[type], ...EQUIPMENT_SYNONYMS[type]],
      })),
    });
  }

  private async afterEquipment(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const found = step.result as { value?: string } | undefined;
    if (found?.value) this.draft(step).equipmentType = found.value as EquipmentType;
    return step.next();
  }

  private async centreStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    if (d.centreId) return step.next();
    const choices = d.centreChoices ?? [];
    return step.prompt(P.centre, {
      prompt: REPLIES.intake.askCentre,
      retryPrompt: REPLIES.intake.retryCentre,
      choices: choices.map((c) => ({
        value: c.id,
        action: { type: 'imBack', title: c.name, value: c.name },
        synonyms: centreSynonyms(c),
      })),
    });
  }

  private async afterCentre(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const found = step.result as { value?: string } | undefined;
    if (found?.value) this.draft(step).centreId = found.value;
    return step.next();
  }

  private async locationStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (this.draft(step).location) return step.next();
    return this.ask(step, P.location, REPLIES.intake.askLocation, REPLIES.intake.badLocation);
  }

  private async afterLocation(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (typeof step.result === 'string') this.draft(step).location = step.result.trim();
    return step.next();
  }

  private async inventoryStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    if (d.inventoryNumber !== undefined) return step.next();
    const offered =
      d.centreId && d.location && this.deps.assetsAt ? await this.deps.assetsAt(d.centreId, d.location) : [];
    if (offered.length === 0)
      return this.ask(step, P.inventory, REPLIES.intake.askInventory, REPLIES.intake.badInventory);
    const choices = [
      ...offered.map((a) => ({ type: 'imBack', title: a.title, value: a.inventoryNumber })),
      { type: 'imBack', title: REPLIES.intake.noneOfThese, value: REPLIES.intake.noneOfThese },
    ];
    return step.prompt(P.inventory, {
      prompt: MessageFactory.suggestedActions(choices, REPLIES.intake.chooseInventory(d.location!)),
      retryPrompt: REPLIES.intake.badInventory,
    });
  }

  private async afterInventory(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (typeof step.result === 'string') {
      const text = step.result.trim();
      this.draft(step).inventoryNumber = saysNone(text) ? null : text.toUpperCase();
    }
    return step.next();
  }

  private async descriptionStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (this.draft(step).description) return step.next();
    return this.ask(step, P.description, REPLIES.intake.askDescription, REPLIES.intake.badDescription);
  }

  private async afterDescription(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (typeof step.result === 'string') this.draft(step).description = step.result.trim();
    return step.next();
  }

  private async extensionStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    if (d.extension !== undefined || d.phone !== undefined) return step.next();
    // A caller outside the directory has no extension on file: the desk needs a number.
    if (d.mode === 'phone' && d.unknownRequester)
      return this.ask(step, P.callerContact, REPLIES.intake.askCallerContact, REPLIES.intake.badCallerContact);
    return this.ask(step, P.extension, REPLIES.intake.askExtension, REPLIES.intake.badExtension);
  }

  private async afterExtension(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (typeof step.result === 'string') {
      const d = this.draft(step);
      const contact = contactIn(step.result);
      if (!contact) d.extension = null;
      else if ('phone' in contact) d.phone = contact.phone;
      else d.extension = contact.extension;
    }
    return step.next();
  }

  private async summaryStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    const facts: SummaryFacts = {
      requesterName: d.mode === 'phone' ? (d.requesterName ?? '') : '',
      relatedTo: d.relatedTo ?? '',
      orderId: d.orderId,
      files: d.attachments ?? [],
      equipment: d.equipmentType ? EQUIPMENT_LABELS[d.equipmentType] : '—',
      centre: d.centreId ? await this.deps.centreName(d.centreId) : '—',
      location: d.location ?? '—',
      inventory: d.inventoryNumber ?? REPLIES.intake.unknownValue,
      description: d.description ?? '—',
      extension: d.extension ?? d.phone ?? REPLIES.intake.none,
    };
    return step.prompt(P.confirm, { validations: facts, retryPrompt: REPLIES.intake.retryConfirm });
  }

  private async finishStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const d = this.draft(step);
    const decision = summaryDecision(step.context.activity);
    if (!decision || decision.kind === 'cancel') {
      await step.context.sendActivity(REPLIES.intake.cancelled);
      return step.endDialog();
    }
    if (decision.kind === 'edit') {
      delete d[decision.field];
      if (decision.field === 'extension') delete d.phone;
      if (decision.field === 'centreId' && (d.centreChoices?.length ?? 0) === 0) d.centreChoices = [];
      return step.replaceDialog(STEPS, d);
    }
    try {
      const order = await this.deps.report(reportInput(d));
      const receipt: IntakeReceipt = { orderId: order._id.toHexString(), folio: order.folio };
      await this.deps.receipt.set(step.context, receipt);
      await step.context.sendActivity(
        d.mode === 'phone'
          ? REPLIES.intake.createdPhone(order.folio, d.requesterName ?? '')
          : REPLIES.intake.created(order.folio),
      );
      return step.endDialog(receipt);
    } catch (error) {
      if (!AppError.is(error)) throw error;
      await step.context.sendActivity(REPLIES.intake.failed(error.userMessage));
      return step.endDialog();
    }
  }
}

/** Ways a person names a centre: its name, id, and the place after «en» / «sede» (with and without accents). */
export function centreSynonyms(centre: { id: string; name: string }): string[] {
  const parts = [centre.name, centre.id];
  const place = /\ben (?:la |el )?(.+)$/i.exec(centre.name)?.[1];
  if (place)
    parts.push(
      place,
      ...place
        .split(/,|\(|\)|\bsede\b/)
        .map((s) => s.trim())
        .filter((s) => s.length > 2),
    );
  return [...new Set([...parts, ...parts.map(fold)])];
}

/** The report-order input a finished draft stands for. */
export function reportInput(d: IntakeDraft): ReportOrderInput {
  const equipment: ReportOrderInput['equipment'] = { type: d.equipmentType ?? 'other' };
  if (d.location) equipment.location = d.location;
  if (d.inventoryNumber) equipment.inventoryNumber = d.inventoryNumber;
  const input: ReportOrderInput = {
    channel: d.mode === 'phone' ? 'phone' : 'teams',
    equipment,
    description: d.description ?? '',
    centreId: d.centreId,
  };
  if (d.orderId) input.orderId = d.orderId;
  if (d.relatedTo) input.relatedTo = d.relatedTo;
  if (d.attachments?.length)
    input.attachments = d.attachments.map((a) => ({
      fileId: a.fileId,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
    }));
  if (d.extension || d.phone)
    input.contact = { ...(d.extension ? { extension: d.extension } : {}), ...(d.phone ? { phone: d.phone } : {}) };
  if (d.mode === 'phone') {
    input.actorId = d.actorId;
    if (d.requesterId) input.requesterId = d.requesterId;
    else
      input.unknownRequester = {
        name: d.unknownRequester?.name ?? '',
        ...(d.unknownRequester?.email ? { email: d.unknownRequester.email } : {}),
      };
  } else if (d.requesterId) {
    input.actorId = d.requesterId;
    input.requesterId = d.requesterId;
  } else {
    input.unknownRequester = {
      name: (d.unknownRequester?.name ?? '').padEnd(3, '.'),
      email: d.unknownRequester?.email ?? '',
    };
  }
  return input;
}
