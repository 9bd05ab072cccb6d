import type { Db } from 'mongodb';
import type { ConversationReference } from 'botbuilder';

/** One stored reference per person, so proactive messages reach them later (STYLE #9). */
export interface ConversationRefDoc {
  /** aadObjectId when Teams gives it (stable across chats), otherwise the channel user id. */
  _id: string;
  userId: string;
  aadObjectId?: string;
  name?: string;
  channelId: string;
  conversationId: string;
  /** The serviceUrl of this person's own reference; proactive sends must use it. */
  serviceUrl: string;
  tenantId?: string;
  reference: Partial<ConversationReference>;
  updatedAt: Date;
}

export const CONVERSATION_REFS_COLLECTION = 'conversationRefs';

/**
 * Saves (upserts) the reference of the person who sent an activity. Called on every
 * activity so a changed serviceUrl or conversation is always the one stored.
 */
export async function saveConversationReference(
  db: Db,
  reference: Partial<ConversationReference>,
  aadObjectId: string | undefined,
  now: Date = new Date(),
): Promise<ConversationRefDoc | null> {
  const user = reference.user;
  if (!user?.id || !reference.serviceUrl || !reference.conversation?.id || !reference.channelId) return null;
  const doc: ConversationRefDoc = {
    _id: aadObjectId ?? user.id,
    userId: user.id,
    channelId: reference.channelId,
    conversationId: reference.conversation.id,
    serviceUrl: reference.serviceUrl,
    reference: JSON.parse(JSON.stringify(reference)) as Partial<ConversationReference>,
    updatedAt: now,
  };
  if (aadObjectId) doc.aadObjectId = aadObjectId;
  if (user.name) doc.name = user.name;
  if (reference.conversation.tenantId) doc.tenantId = reference.conversation.tenantId;
  await db.collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION).replaceOne({ _id: doc._id }, doc, { upsert: true });
  return doc;
}
