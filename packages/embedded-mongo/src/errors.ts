/**
 * MongoDB-style command errors. Every failure the engine reports to a client goes through
 * {@link CommandError} so the reply carries the numeric `code` and `codeName` the official
 * driver and application code branch on (e.g. 11000 for duplicate keys, 112 for write conflicts).
 */
import type { Document } from 'bson';

/** Codes the engine emits, with MongoDB's names (src/mongo/base/error_codes.yml). */
export const ErrorCodes = {
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  InvalidIdField: 53,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  OperationNotSupportedInTransaction: 263,
  NoSuchTransaction: 251,
  TransactionTooOld: 225,
  WriteConflict: 112,
  ConflictingOperationInProgress: 117,
  NamespaceNotFound: 26,
  DollarPrefixedFieldName: 52,
  TransactionCommitted: 256,
  CannotIndexParallelArrays: 171,
  Location40324: 40324,
  DuplicateKey: 11000,
} as const;

const codeNames: Record<number, string> = Object.fromEntries(
  Object.entries(ErrorCodes).map(([name, code]) => [code, name]),
);

/** A failure with a MongoDB error code; `extra` fields (keyPattern, keyValue…) are copied into the reply. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: Document = {},
    readonly labels: string[] = [],
  ) {
    super(message);
    this.name = 'CommandError';
  }

  get codeName(): string {
    return codeNames[this.code] ?? 'UnknownError';
  }
}

/** Shorthand for the most common refusal: an option or operator the engine does not implement. */
export function unsupported(what: string): CommandError {
  return new CommandError(ErrorCodes.BadValue, `${what} is not supported by the embedded engine`);
}

/**
 * Translates an error thrown by mingo or by engine code into a CommandError, so no raw JS error
 * ever reaches the client without a code. mingo errors carry no codes; the messages are mapped
 * to the codes MongoDB uses for the same situation.
 */
export function toCommandError(err: unknown): CommandError {
  if (err instanceof CommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/immutable field '_id'/.test(message)) {
    return new CommandError(ErrorCodes.ImmutableField, message);
  }
  if (/Unknown update operator/i.test(message)) {
    return new CommandError(ErrorCodes.FailedToParse, message);
  }
  if (/unregistered pipeline operator/i.test(message)) {
    return new CommandError(ErrorCodes.Location40324, `Unrecognized pipeline stage name: ${message}`);
  }
  return new CommandError(ErrorCodes.BadValue, message);
}

/** The error reply document MongoDB sends for a failed command. */
export function errorReply(err: CommandError): Document {
  const reply: Document = { ok: 0, errmsg: err.message, code: err.code, codeName: err.codeName, ...err.extra };
  if (err.labels.length > 0) reply.errorLabels = err.labels;
  return reply;
}
