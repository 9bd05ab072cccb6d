/** Validation of sort specifications, shared by find, findAndModify and the $sort stage. */
import { Document } from 'bson';
import { CommandError, ErrorCodes, unsupported } from './errors';
import { isPlainObject } from './matcher-util';

/** Validates a sort specification: each value 1 or -1. */
export function checkSort(sort: unknown): Document | undefined {
  if (sort === undefined || sort === null) return undefined;
  if (!isPlainObject(sort)) throw new CommandError(ErrorCodes.TypeMismatch, 'sort must be an object');
  for (const [k, v] of Object.entries(sort)) {
    if (isPlainObject(v)) throw unsupported(`sort by ${JSON.stringify(v)} on '${k}'`);
    if (Number(v) !== 1 && Number(v) !== -1)
      throw new CommandError(ErrorCodes.BadValue, `Illegal key in sort specification: ${k}: ${String(v)}`);
  }
  return sort;
}
