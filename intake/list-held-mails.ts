import { z } from 'zod';
import { parseInput } from '../services/orders/inputs';
import type { IntakeStore, MailFolder } from './intake-store';

export const MAX_HELD_PAGE_SIZE = 100;

/** The folders where mail waits for an analyst: what was held, and why. */
export const HELD_FOLDERS = ['quarantine', 'refused'] as const satisfies readonly MailFolder[];

const positiveInt = (max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d{1,6}$/, 'debe ser un entero')
        .transform(Number),
    ])
    .pipe(z.number().int().min(1).max(max));

const Input = z.strictObject({
  folder: z.enum(HELD_FOLDERS).optional(),
  page: positiveInt(10_000).default(1),
  pageSize: positiveInt(MAX_HELD_PAGE_SIZE).default(20),
});

/** One held mail as an analyst sees it; no body, no attachment, only what the log records. */
export interface HeldMail {
  /** The mail log's id: what release and discard name the mail by. */
  key: string;
  folder: MailFolder;
  outcome: string;
  reason?: string;
  sender?: string;
  subject?: string;
  date: Date;
  messageId?: string;
}

export interface HeldMailPage {
  items: HeldMail[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * The quarantined and refused mails of the mail log, newest first, paged (pageSize ≤ 100),
 * optionally of one folder. The query is parsed into typed values first, so anything else
 * is refused as VALIDATION naming the parameter before a query exists.
 */
export async function listHeldMails(
  deps: { store: Pick<IntakeStore, 'listHeld'> },
  raw: Record<string, unknown>,
): Promise<HeldMailPage> {
  const input = parseInput(Input, raw);
  const { items, total } = await deps.store.listHeld({
    folders: input.folder ? [input.folder] : [...HELD_FOLDERS],
    skip: (input.page - 1) * input.pageSize,
    limit: input.pageSize,
  });
  return {
    items: items.map((e) => ({
      key: e._id,
      folder: e.folder,
      outcome: e.outcome,
      reason: e.reason,
      sender: e.from,
      subject: e.subject,
      date: e.at,
      messageId: e.messageId,
    })),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}
