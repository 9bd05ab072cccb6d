/**
 * Option screening shared by the command handlers: unknown fields, collation and hints are
 * answered with errors rather than ignored, because a silently ignored option would return
 * results real MongoDB would not.
 */
import { Document } from 'bson';
import { CommandError, ErrorCodes, unsupported } from '../errors';
import { OpContext } from '../context';
import { isPlainObject } from '../matcher';

/** Throws BadValue naming the first field of `doc` not in `allowed`. */
export function checkFields(doc: Document, allowed: string[], where: string): void {
  for (const key of Object.keys(doc)) {
    if (!allowed.includes(key)) throw new CommandError(ErrorCodes.BadValue, `unsupported field '${key}' in ${where}`);
  }
}

export function collectionName(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CommandError(
      ErrorCodes.InvalidNamespace,
      `collection name must be a non-empty string, got ${String(value)}`,
    );
  }
  if (value.includes('$') || value.startsWith('system.'))
    throw new CommandError(ErrorCodes.InvalidNamespace, `Invalid collection name: ${value}`);
  return value;
}

export function refuseCollation(doc: Document): void {
  if (doc.collation !== undefined) throw unsupported('collation');
}

/**
 * A hint changes only the plan, never the result, so an existing index is accepted; an
 * unknown one is an error as in MongoDB.
 */
export function checkHint(ctx: OpContext, c: string, hint: unknown): void {
  if (hint === undefined) return;
  const coll = ctx.collection(c);
  const specs = coll?.indexSpecs() ?? [];
  const ok =
    typeof hint === 'string'
      ? specs.some((s) => s.name === hint)
      : isPlainObject(hint) &&
        (Object.keys(hint).length === 0 || specs.some((s) => JSON.stringify(s.key) === JSON.stringify(hint)));
  if (!ok && coll)
    throw new CommandError(ErrorCodes.BadValue, 'hint provided does not correspond to an existing index');
}

export { checkSort } from '../sort-spec';
