import type { Next, Request, RequestHandler, Response } from 'restify';
import { refuse } from './respond';

/** Methods none of this service's routes take a body with. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

const NO_BODY_HERE = 'Esta ruta no acepta contenido en la solicitud.';
const ONLY_JSON = 'Esta ruta solo acepta contenido JSON (application/json) sin comprimir.';
const tooLarge = (max: number) =>
  `El contenido de la solicitud es demasiado grande (máximo ${Math.floor(max / 1024)} KB).`;

function announcesBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0');
}

/**
 * Refuses (415) a body sent with a method no route reads one for, before routing. No body
 * parser runs in this service, so a body never reaches a temporary file; refusing it says so
 * instead of silently ignoring what the client meant to send.
 */
export function refuseBodyOnBodylessMethods(): RequestHandler {
  return (req: Request, res: Response, next: Next) => {
    if (BODYLESS_METHODS.has(req.method ?? '') && announcesBody(req)) {
      refuse(res, 415, 'UNSUPPORTED_MEDIA_TYPE', NO_BODY_HERE, { closeConnection: true });
      return next(false);
    }
    return next();
  };
}

/** The media type of a Content-Type header, lower case, without parameters. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Reads the body of a route that takes JSON into `req.body`, in memory and never past
 * `maxBytes`: anything but uncompressed `application/json` is refused with 415 unread, a
 * declared length over the limit with 413 unread, a stream that grows past it with 413 as
 * soon as it does, and text that is not JSON with 400. Refusals close the connection so an
 * unread upload is not drained.
 */
export function jsonBody(maxBytes: number): RequestHandler {
  return (req: Request, res: Response, next: Next) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (mediaType(req.headers['content-type']) !== 'application/json' || encoding !== 'identity') {
      refuse(res, 415, 'UNSUPPORTED_MEDIA_TYPE', ONLY_JSON, { closeConnection: true });
      return next(false);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      refuse(res, 413, 'PAYLOAD_TOO_LARGE', tooLarge(maxBytes), { closeConnection: true });
      return next(false);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const finish = (outcome: () => void) => {
      if (finished) return;
      finished = true;
      req.removeListener('data', onData);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        finish(() => {
          req.pause();
          refuse(res, 413, 'PAYLOAD_TOO_LARGE', tooLarge(maxBytes), { closeConnection: true });
          next(false);
        });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', () => finish(() => next(false)));
    req.once('end', () =>
      finish(() => {
        try {
          const text = Buffer.concat(chunks).toString('utf8');
          req.body = text.trim() === '' ? undefined : JSON.parse(text);
        } catch {
          refuse(res, 400, 'VALIDATION', 'El contenido de la solicitud no es JSON válido.');
          next(false);
          return;
        }
        next();
      }),
    );
  };
}
