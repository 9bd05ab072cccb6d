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
  const writeErrors = (error as { writeErrors?: unknown } | undefined)?.writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length > 0) return list.every(isDuplicateKey);
  return isDuplicateKey(error);
}
