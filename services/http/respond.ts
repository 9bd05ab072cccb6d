import type { Response } from 'restify';
import { AppError, HTTP_STATUS } from '../errors';
import type { Logger } from '../logger';

/** Body of every error answer: `{error: {code, message}}`, message in Spanish, optional field. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Answers an error: AppError codes map through HTTP_STATUS with their Spanish userMessage;
 * anything else is logged and answered 500 without internals.
 */
export function sendError(res: Response, error: unknown, log: Logger): void {
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.userMessage } };
    const field = error.details.field ?? (Array.isArray(error.details.fields) ? error.details.fields[0] : undefined);
    if (typeof field === 'string' && field !== '') body.error.field = field;
    if (error.code === 'UPSTREAM') log.warn({ err: error }, 'upstream failure');
    res.send(HTTP_STATUS[error.code], body);
    return;
  }
  log.error({ err: error }, 'unexpected error in request');
  res.send(500, {
    error: { code: 'INTERNAL', message: 'Ocurrió un error interno. Inténtalo más tarde.' },
  } satisfies ErrorBody);
}

/** A VALIDATION error naming the offending field or query parameter. */
export function invalidField(field: string, reason: string): AppError {
  return new AppError('VALIDATION', `invalid ${field}: ${reason}`, `El campo «${field}» no es válido: ${reason}.`, {
    field,
  });
}

/** Refusals the HTTP edge gives before any route or use case runs (protocol level, not domain errors). */
export type EdgeRefusalCode =
  'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' | 'TOO_MANY_REQUESTS' | 'VALIDATION' | 'FORBIDDEN';

/**
 * Answers `{error: {code, message}}` (message in Spanish) with the given status.
 * `closeConnection`: the request body was left unread; closing spares draining it.
 */
export function refuse(
  res: Response,
  status: number,
  code: EdgeRefusalCode,
  message: string,
  options: { closeConnection?: boolean; headers?: Record<string, string> } = {},
): void {
  if (res.headersSent) return;
  if (options.closeConnection) res.setHeader('Connection', 'close');
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res.send(status, { error: { code, message } } satisfies ErrorBody);
}
