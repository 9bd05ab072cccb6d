import type { Activity, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { REPLIES } from '../replies';
import { onlyConfirms } from '../../services/vocabulary';

/** The last report this conversation confirmed, kept with the conversation's state. */
export interface IntakeReceipt {
  orderId: string;
  folio: string;
}

export type ReceiptProperty = StatePropertyAccessor<IntakeReceipt | undefined>;

/** A bare confirmation: the summary card's confirm, or a message that is only a confirm word. */
export function isBareConfirmation(activity: Partial<Activity>): boolean {
  if ((activity.value as { intake?: unknown } | undefined)?.intake === 'confirm') return true;
  return onlyConfirms(activity.text ?? '');
}

/**
 * A confirmation that arrives after its report was made — Teams retrying an activity the
 * bot already answered, or the person confirming again — is answered with the folio
 * already given, instead of starting anything new. True when it answered.
 */
export async function answerRepeatedConfirmation(context: TurnContext, receipt: ReceiptProperty): Promise<boolean> {
  if (!isBareConfirmation(context.activity)) return false;
  const last = await receipt.get(context);
  if (!last) return false;
  await context.sendActivity(REPLIES.intake.alreadyCreated(last.folio));
  return true;
}
