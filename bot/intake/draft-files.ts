import type { DialogContext } from 'botbuilder-dialogs';
import type { AttachmentMeta } from '../../services/orders/types';
import type { IntakeDraft } from './draft';

/**
 * Adds stored files to the draft of the report being taken in this conversation. The draft
 * is the intake waterfall's options, kept in the dialog state inside the intake component,
 * so it is saved with the conversation and read at confirm.
 */
export function addToDraft(dc: DialogContext, files: readonly AttachmentMeta[]): void {
  if (files.length === 0) return;
  const inner = (dc.activeDialog?.state as { dialogs?: { dialogStack?: Array<{ state?: { options?: unknown } }> } })
    ?.dialogs?.dialogStack?.[0]?.state;
  const draft = inner?.options as IntakeDraft | undefined;
  if (!draft || typeof draft !== 'object') return;
  draft.attachments = [...(draft.attachments ?? []), ...files];
}
