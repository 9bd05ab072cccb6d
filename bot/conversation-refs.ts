import type { Db } from 'mongodb';
import { coalesce } from '../services/coalesce';
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
 * How long an unchanged reference is not written again. Every activity carries the sender's
 * reference, and a conversation or a run of card actions repeats the same one; the write is
 * skipped while what would be stored is identical to what this process stored less than this
 * long ago. A stale mark this process sets forgets the entry, so the next activity clears it;
 * one set by another instance is cleared by the first activity after this long.
 */
export const REFERENCE_REWRITE_MS = 60_000;
const MAX_REMEMBERED = 10_000;
/** Per database handle (a new client starts afresh): reference id → what was stored, when. */
const stored = new WeakMap<Db, Map<string, { fingerprint: string; at: number }>>();

function rememberedFor(db: Db): Map<string, { fingerprint: string; at: number }> {
  let map = stored.get(db);
  if (!map) stored.set(db, (map = new Map()));
  return map;
}

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
  // The activity id changes with every activity and proactive sends do not need the latest one.
  const fingerprint = JSON.stringify({
    ...doc,
    updatedAt: undefined,
    reference: { ...doc.reference, activityId: undefined },
  });
  const remembered = rememberedFor(db);
  const last = remembered.get(doc._id);
  if (
    last &&
    last.fingerprint === fingerprint &&
    now.getTime() - last.at < REFERENCE_REWRITE_MS &&
    now.getTime() >= last.at
  )
    return doc;
  await db
    .collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION)
    .replaceOne({ _id: doc._id }, doc, { upsert: true });
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(doc._id, { fingerprint, at: now.getTime() });
  return doc;
}

/** Indexes for the proactive lookup (by directory person); idempotent, call once at start-up. */
export async function ensureConversationRefIndexes(db: Db): Promise<void> {
  await db.collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION).createIndex({ personId: 1 }, { sparse: true });
}

/** The usable reference of a directory person (by personId, else by aadObjectId), or null. */
export function findReference(
  db: Db,
  who: { personId?: string; aadObjectId?: string },
): Promise<ConversationRefDoc | null> {
  if (!who.personId && !who.aadObjectId) return Promise.resolve(null);
  let find = finders.get(db);
  if (!find) finders.set(db, (find = referenceFinder(db)));
  return find(who);
}

const finders = new WeakMap<
  Db,
  (who: { personId?: string; aadObjectId?: string }) => Promise<ConversationRefDoc | null>
>();

/**
 * Lookups made together (the outbox sending to several people at once) are one query: every
 * live reference of any of them, then, for each person, the latest of those that are theirs
 * (by directory id or Teams id).
 */
function referenceFinder(db: Db) {
  const refs = db.collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION);
  return coalesce(async (people: readonly { personId?: string; aadObjectId?: string }[]) => {
    const personIds = [...new Set(people.flatMap((p) => (p.personId ? [p.personId] : [])))];
    const aadIds = [...new Set(people.flatMap((p) => (p.aadObjectId ? [p.aadObjectId.toLowerCase()] : [])))];
    const or: Array<Record<string, unknown>> = [];
    if (personIds.length > 0) or.push({ personId: { $in: personIds } });
    if (aadIds.length > 0) or.push({ _id: { $in: aadIds } });
    const live = await refs.find({ $or: or, staleAt: { $exists: false } }).toArray();
    return people.map((who) => {
      const aad = who.aadObjectId?.toLowerCase();
      const theirs = live.filter(
        (r) => (who.personId !== undefined && r.personId === who.personId) || (aad !== undefined && r._id === aad),
      );
      const latest = theirs.reduce<ConversationRefDoc | null>(
        (best, r) => (!best || r.updatedAt > best.updatedAt ? r : best),
        null,
      );
      return { ok: true as const, value: latest };
    });
  });
}

/** Marks a reference unusable after Teams refused a proactive send to it. */
export async function markReferenceStale(db: Db, id: string, now: Date = new Date()): Promise<void> {
  rememberedFor(db).delete(id);
  await db
    .collection<ConversationRefDoc>(CONVERSATION_REFS_COLLECTION)
    .updateOne({ _id: id }, { $set: { staleAt: now } });
}
