/** MongoDB's duplicate key error: a unique index (or `_id`) already holds the value. */
export const DUPLICATE_KEY = 11000;

/** True when a single write failed because the document (or its unique key) already exists. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === DUPLICATE_KEY;
}

/**
 * True when an unordered bulk insert failed only because some documents already existed:
 * the others were written, so a repeated insert of the same documents has done its work.
 */
export function onlyDuplicateKeys(error: unknown): boolean {
  const refused = refusedWrites(error);
  if (refused && refused.length > 0) return refused.every(isDuplicateKey);
  return isDuplicateKey(error);
}

/** One write a bulk operation's server refused: its position in the batch and the reason. */
export interface RefusedWrite {
  index: number;
  code?: number;
  errmsg?: string;
  errInfo?: Record<string, unknown>;
}

/**
 * The writes a failed bulk operation had refused (the others were applied), or undefined
 * when the error is not of that kind and the whole command failed.
 */
export function refusedWrites(error: unknown): RefusedWrite[] | undefined {
  const writeErrors = (error as { writeErrors?: unknown } | undefined)?.writeErrors;
  if (writeErrors === undefined || writeErrors === null) return undefined;
  return (Array.isArray(writeErrors) ? writeErrors : [writeErrors]) as RefusedWrite[];
}
