import { absoluteUrl } from '../cedula/cedula-paths';
import { signToken } from '../links/signed-token';
import type { AttachmentMeta, ServiceOrder } from '../orders/types';

/** The purpose file links are signed under (a key of its own, derived from the deployment secret). */
export const FILE_LINK_PURPOSE = 'file';

/** How long a file link in a card or a mail opens the file. */
export const FILE_LINK_TTL_MS = 14 * 24 * 3600_000;

/** How long a link to a file of a report still being drafted opens it. */
export const DRAFT_FILE_LINK_TTL_MS = 24 * 3600_000;

/**
 * The link that opens one stored file of an order, or undefined for a file that was not
 * stored. `draft`: the order is a report still being drafted (its id minted, not yet
 * stored); the link then opens the file for a day, before and after the report is made.
 */
export type FileLinker = (
  order: Pick<ServiceOrder, '_id'>,
  file: AttachmentMeta,
  options?: { draft?: boolean },
) => string | undefined;

/** Image types shown inline (thumbnails on cards, served as images); any other file is a download. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * Signs links to an order's files: `/files/<token>` (absolute under PUBLIC_BASE_URL), the
 * token naming the file and its order and expiring after FILE_LINK_TTL_MS. Each call mints a
 * new random token, so links cannot be guessed from one another.
 */
export function fileLinker(secret: string, publicBaseUrl?: string, now: () => number = Date.now): FileLinker {
  return (order, file, options = {}) => {
    if (!file.fileId) return undefined;
    const token = signToken(secret, {
      purpose: FILE_LINK_PURPOSE,
      subject: file.fileId,
      data: { orderId: order._id.toHexString(), ...(options.draft ? { draft: 'true' } : {}) },
      ttlMs: options.draft ? DRAFT_FILE_LINK_TTL_MS : FILE_LINK_TTL_MS,
      now: now(),
    });
    return absoluteUrl(publicBaseUrl, `/files/${token}`);
  };
}

/**
 * Every file stored for an order, once: those of the report and those that came with later
 * entries (mailed replies, Teams follow-ups). Entries only staff read (internal notes) are
 * left out, so a file link never reveals one.
 */
export function filesOf(order: Pick<ServiceOrder, 'attachments' | 'history'>): AttachmentMeta[] {
  const all = [
    ...order.attachments,
    ...order.history.filter((h) => h.action !== 'add_note').flatMap((h) => h.attachments ?? []),
  ];
  const seen = new Set<string>();
  return all.filter((f) => f.fileId !== undefined && !seen.has(f.fileId) && Boolean(seen.add(f.fileId)));
}
