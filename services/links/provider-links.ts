import type { Db } from 'mongodb';
import type { DirectoryReader } from '../directory/directory-store';
import { absoluteUrl } from '../cedula/cedula-paths';
import { isDuplicateKey } from '../mongo-errors';
import type { ServiceOrder } from '../orders/types';
import { signToken, verifyToken, type VerifiedToken } from './signed-token';

/** Purpose of the link a provider gets by mail to act on one order. */
export const PROVIDER_ACTION = 'provider-action';
/** Purpose of the form token the action page embeds, bound to one link token. */
export const PROVIDER_FORM = 'provider-form';

/** How long the page's form may be submitted after it was shown. */
const FORM_TTL_MS = 2 * 3600_000;

export const providerActionPath = (token: string) => `/provider/${encodeURIComponent(token)}`;

export interface ProviderLinkDeps {
  /** Derived per purpose inside signToken; never used raw. */
  secret: string;
  /** PUBLIC_BASE_URL: links leave the service, so they are absolute when it is set. */
  publicBaseUrl?: string;
  /** PROVIDER_LINK_HOURS. */
  ttlMs: number;
  directory: Pick<DirectoryReader, 'personByEmail' | 'providerContacts'>;
  now?: () => number;
}

/**
 * The person a provider's link acts as: the directory person with the mail's address when
 * they speak for the order's provider, else the provider's first registered contact (a
 * shared mailbox of the company). Undefined when the provider has no contact in the
 * directory: the mail then offers only replying.
 */
async function actingContact(deps: ProviderLinkDeps, providerId: string, email: string): Promise<string | undefined> {
  const person = await deps.directory.personByEmail(email);
  if (person?.providerId === providerId) return person.id;
  return (await deps.directory.providerContacts(providerId))[0]?.id;
}

/**
 * A fresh signed link to the action page of `order` for the provider contact at `email`:
 * it names the order and the person it acts as, expires after `ttlMs`, and is good for one
 * action (recorded by its token id when used).
 */
export async function providerActionLink(
  deps: ProviderLinkDeps,
  order: Pick<ServiceOrder, '_id' | 'provider'>,
  email: string,
): Promise<string | undefined> {
  if (!order.provider) return undefined;
  const actorId = await actingContact(deps, order.provider.providerId, email);
  if (!actorId) return undefined;
  const token = signToken(deps.secret, {
    purpose: PROVIDER_ACTION,
    subject: order._id.toHexString(),
    audience: email.toLowerCase(),
    data: { actorId },
    ttlMs: deps.ttlMs,
    now: (deps.now ?? Date.now)(),
  });
  return absoluteUrl(deps.publicBaseUrl, providerActionPath(token));
}

export const verifyProviderLink = (secret: string, token: string, now = Date.now()): VerifiedToken =>
  verifyToken(secret, token, PROVIDER_ACTION, now);

/** The form token of the page shown for the link with id `linkId`. */
export const formTokenFor = (secret: string, linkId: string, now = Date.now()): string =>
  signToken(secret, { purpose: PROVIDER_FORM, subject: linkId, ttlMs: FORM_TTL_MS, now });

/** True when `formToken` was issued by this service for the page of link `linkId` and is still fresh. */
export function formTokenMatches(secret: string, formToken: string, linkId: string, now = Date.now()): boolean {
  const verified = verifyToken(secret, formToken, PROVIDER_FORM, now);
  return verified.ok && verified.claims.subject === linkId;
}

/** Single use of links, by token id. */
export interface LinkUses {
  /** Marks the link used; false when it already was. */
  claim(id: string, record: { orderId: string; action: string; at: Date }): Promise<boolean>;
  /** Gives a claim back: the action it was for did not happen. */
  release(id: string): Promise<void>;
  isUsed(id: string): Promise<boolean>;
}

/** `link_uses`: one document per used link, keyed by its token id (the `_id` index is the guard). */
export class MongoLinkUses implements LinkUses {
  constructor(private readonly db: Db) {}

  private get uses() {
    return this.db.collection<{ _id: string; orderId: string; action: string; at: Date }>('link_uses');
  }

  async claim(id: string, record: { orderId: string; action: string; at: Date }): Promise<boolean> {
    try {
      await this.uses.insertOne({ _id: id, ...record });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async release(id: string): Promise<void> {
    await this.uses.deleteOne({ _id: id });
  }

  async isUsed(id: string): Promise<boolean> {
    return (await this.uses.countDocuments({ _id: id }, { limit: 1 })) > 0;
  }
}
