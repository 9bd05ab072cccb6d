import { z } from 'zod';
import { AppError } from '../services/errors';
import { parseInput } from '../services/orders/inputs';
import { handleMail, type Disposition, type HandleMailDeps } from './handle-mail';
import type { MailLogEntry } from './intake-store';
import type { MailSource } from './mail-source';
import { parseMail, type IncomingMail } from './parse-mail';

/** What releasing or discarding a held mail needs: the mail rules and the desk mailbox. */
export interface HeldMailDeps {
  handle: HandleMailDeps;
  /** A fresh connection to the desk mailbox, closed after each use. */
  source: () => MailSource;
  /** Folder names of the desk mailbox (MAIL_FOLDER_*). */
  folders: { processed: string; quarantine: string; refused: string };
  now?: () => Date;
}

const Key = z.string().min(1).max(1000);
const DiscardInput = z.strictObject({
  key: Key,
  actor: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(3, 'el motivo es muy corto').max(2000),
});

const notHeld = (key: string) =>
  new AppError('NOT_FOUND', `no held mail ${key}`, 'No hay un correo retenido con ese identificador.', { key });

/**
 * Finds the held mail with `key` in the quarantine folder and gives it to `work` with its
 * UID, under the folder's lock; NOT_FOUND when the log holds no such mail in quarantine or
 * the folder no longer has it.
 */
async function withHeldMail<T>(
  deps: HeldMailDeps,
  key: string,
  work: (entry: MailLogEntry, mail: IncomingMail, move: (folder: string) => Promise<void>) => Promise<T>,
): Promise<T> {
  const entry = await deps.handle.store.logged(key);
  if (!entry || entry.folder !== 'quarantine') throw notHeld(key);
  const source = deps.source();
  await source.connect();
  try {
    return await source.withMailbox(deps.folders.quarantine, async (session) => {
      const uids = await session.uidsWithMessageId(entry.messageId);
      for (const { uid, source: raw } of await session.fetchSources(uids)) {
        const mail = await parseMail(raw);
        if (mail.key === key) return work(entry, mail, (folder) => session.move([uid], folder));
      }
      throw notHeld(key);
    });
  } finally {
    await source.close();
  }
}

/**
 * Staff release a held mail once what held it is settled (its sender was added to the
 * directory): the mail goes through the mail rules again, as if it had just arrived, and is
 * filed where they send it — an order from its text and files, a reply added to its order.
 * A mail the rules would hold again stays held, and the answer says why.
 */
export async function releaseHeldMail(deps: HeldMailDeps, raw: { key: unknown }): Promise<Disposition> {
  const key = parseInput(Key, raw.key);
  return withHeldMail(deps, key, async (_entry, mail, move) => {
    const disposition = await handleMail(deps.handle, mail);
    if (disposition.folder === 'quarantine') {
      throw new AppError(
        'INVALID_TRANSITION',
        `held mail ${key} still held: ${disposition.reason ?? ''}`,
        `El correo sigue retenido: ${disposition.reason ?? 'no cumple las reglas del buzón'}.`,
        { key },
      );
    }
    const at = (deps.now ?? (() => new Date()))();
    await deps.handle.store.settleHeld(
      key,
      { ...disposition, reason: `released: ${disposition.reason ?? disposition.outcome}` },
      at,
    );
    await move(deps.folders[disposition.folder]);
    return disposition;
  });
}

/** Staff discard a held mail with a reason: it moves to the refused folder and the log says who and why. */
export async function discardHeldMail(deps: HeldMailDeps, raw: z.input<typeof DiscardInput>): Promise<void> {
  const input = parseInput(DiscardInput, raw);
  await withHeldMail(deps, input.key, async (_entry, _mail, move) => {
    const at = (deps.now ?? (() => new Date()))();
    await deps.handle.store.settleHeld(
      input.key,
      { outcome: 'refused', folder: 'refused', reason: `discarded by ${input.actor}: ${input.reason}` },
      at,
    );
    await move(deps.folders.refused);
  });
}
