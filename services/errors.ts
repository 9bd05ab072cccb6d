/**
 * The one error type of the service. `code` is a closed set so callers branch on it;
 * `message` is for logs (English, may carry ids); `userMessage` is what a person reads
 * (es-MX) and never leaks internals. Adapters map library failures to UPSTREAM.
 */
export const ERROR_CODES = [
  'NOT_FOUND',
  'VALIDATION',
  'INVALID_TRANSITION',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'UPSTREAM',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each code, used by the HTTP edge. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  VALIDATION: 400,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  UPSTREAM: 503,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  /** Structured context for logs (field names, ids); never shown to users. */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    userMessage: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.userMessage = userMessage;
    this.details = details;
  }

  static is(error: unknown, code?: ErrorCode): error is AppError {
    return error instanceof AppError && (code === undefined || error.code === code);
  }
}

/**
 * What an adapter throws for a failure of the system behind it: the error itself when it is
 * already the service's (a refusal the adapter decided), otherwise UPSTREAM with the
 * library's message for the log, its code in the details and the original as the cause.
 */
export function upstreamError(what: string, error: unknown, userMessage: string): AppError {
  if (AppError.is(error)) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  return new AppError(
    'UPSTREAM',
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    userMessage,
    code === undefined ? {} : { code },
    { cause: error },
  );
}

/** Runs an adapter's step, turning whatever a library throws into `upstreamError`. */
export async function upstreamStep<T>(what: string, userMessage: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw upstreamError(what, error, userMessage);
  }
}
