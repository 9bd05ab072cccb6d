import type { Db } from 'mongodb';
import type { ConversationReference } from 'botbuilder';

/** One stored reference per person, so proactive messages reach them later (STYLE #9). */
export interface ConversationRefDoc {
  /** aadObjectId when Teams gives it (stable across chats), otherwise the channel user id. */
  _id: string;
  userId: string;
  aadObjectId?: string;
  /** Directory id of the person, when the sender was found in the directory. */
  personId?: string;
  name?: string;
  channelId: string;
  conversationId: string;
  /** The serviceUrl of this person's own reference; proactive sends must use it. */
  serviceUrl: string;
  tenantId?: string;
  reference: Partial<ConversationReference>;
  /** Set when Teams answered 403/404 to a proactive send: the bot was removed or the chat is gone. */
  staleAt?: Date;
  updatedAt: Date;
}

export const CONVERSATION_REFS_COLLECTION = 'conversationRefs';

/**
 * Saves (upserts) the reference of the person who sent an activity. Called on every
 * activity so a changed serviceUrl or conversation is always the one stored; a fresh
 * activity also clears a stale mark (the person can be reached again). Only personal
 * (1:1) conversations are stored per person: a team channel is not a way to reach one person.
 */
export async function saveConversationReference(
  db: Db,
  reference: Partial<ConversationReference>,
  aadObjectId: string | undefined,
  now: Date = new Date(),
  personId?: string,
): Promise<ConversationRefDoc | null> {
  const user = reference.user;
  if (!user?.id || !reference.serviceUrl || !reference.conversation?.id || !reference.channelId) return null;
  const type = reference.conversation.conversationType;
  if (type && type !== 'personal') return null;
  const doc: ConversationRefDoc = {
    _id: aadObjectId?.toLowerCase() ?? user.id,
    userId: user.id,
    channelId: reference.channelId,
    conversationId: reference.conversation.id,
    serviceUrl: reference.serviceUrl,
    reference: JSON.parse(JSON.stringify(reference)) as Partial<ConversationReference>,
    updatedAt: now,
  };
  if (aadObjectId) doc.aadObjectId = aadObjectId.toLowerCase();
  if (personId) doc.personId = personId;
  if (user.name) doc.name = user.name;
  if (reference.conversation.tenantId) doc.tenantId = reference.conversation.tenantId;
  await db.collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION).replaceOne({ _id: doc._id }, doc, { upsert: true });
  return doc;
}

/** Indexes for the proactive lookup (by directory person); idempotent, call once at start-up. */
export async function ensureConversationRefIndexes(db: Db): Promise<void> {
  await db.collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION).createIndex({ personId: 1 }, { sparse: true });
}

/** The usable reference of a directory person (by personId, else by aadObjectId), or null. */
export async function findReference(db: Db, who: { personId?: string; aadObjectId?: string }): Promise<ConversationRefDoc | null> {
  const refs = db.collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION);
  const or: Array<Record<string, string>> = [];
  if (who.personId) or.push({ personId: who.personId });
  if (who.aadObjectId) or.push({ _id: who.aadObjectId.toLowerCase() });
  if (or.length === 0) return null;
  return refs.findOne({ $or: or, staleAt: { $exists: false } }, { sort: { updatedAt: -1 } });
}

/** Marks a reference unusable after Teams refused a proactive send to it. */
export async function markReferenceStale(db: Db, id: string, now: Date = new Date()): Promise<void> {
  await db.collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION).updateOne({ _id: id }, { $set: { staleAt: now } });
}
