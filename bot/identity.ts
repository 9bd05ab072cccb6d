import { TeamsInfo, TurnContext } from 'botbuilder';
import type { DirectoryReader } from '../services/directory/directory-store';
import type { Person } from '../services/directory/schema';
import type { Logger } from '../services/logger';

/** Who sent an activity: the directory person when found, else what Teams says about them. */
export interface Identity {
  person: Person | null;
  name: string;
  email?: string;
  aadObjectId?: string;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;
const CACHE_KEY = Symbol('deskIdentity');

/**
 * Finds the sender in the directory: first by Teams AAD object id, then by the email/UPN
 * Teams gives for them (`TeamsInfo.getMember`). A failing Teams lookup is logged and
 * treated as "not found": an unknown person can still report as a requester. The result is
 * cached on the turn.
 */
export async function identify(
  context: TurnContext,
  directory: Pick<DirectoryReader, 'personByAadObjectId' | 'personByEmail'>,
  log: Logger,
): Promise<Identity> {
  const cached = context.turnState.get(CACHE_KEY) as Identity | undefined;
  if (cached) return cached;
  const from = context.activity.from ?? { id: '', name: '' };
  const aadObjectId = from.aadObjectId?.toLowerCase();
  const identity: Identity = { person: null, name: from.name?.trim() || 'Usuario de Teams' };
  if (aadObjectId) {
    identity.aadObjectId = aadObjectId;
    identity.person = await directory.personByAadObjectId(aadObjectId).catch(() => null);
  }
  if (!identity.person && context.activity.channelId === 'msteams' && from.id) {
    try {
      const member = await TeamsInfo.getMember(context, from.id);
      const candidate = [member.email, member.userPrincipalName].find(
        (v): v is string => typeof v === 'string' && EMAIL.test(v),
      );
      if (candidate) {
        identity.email = candidate.toLowerCase();
        identity.person = await directory.personByEmail(identity.email);
      }
      if (member.name && !from.name) identity.name = member.name;
    } catch (error) {
      log.warn(
        { err: error, activityId: context.activity.id },
        'Teams member lookup failed; sender treated as unknown',
      );
    }
  }
  if (identity.person) {
    identity.name = identity.person.name;
    identity.email = identity.person.email;
  }
  context.turnState.set(CACHE_KEY, identity);
  return identity;
}
