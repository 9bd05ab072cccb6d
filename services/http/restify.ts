/**
 * restify, loaded without its one start-up deprecation warning.
 *
 * restify 11 requires `spdy` at load time even when no HTTP/2 server is made; `spdy` requires
 * `http-deceiver`, which calls `process.binding('http_parser')` and makes Node 20 print
 * DEP0111 at every start. The service never uses spdy, so that one warning says nothing to an
 * operator. Only a DEP0111 about `http_parser` raised while restify loads is dropped; any
 * other warning, then or later, is emitted as usual. restify 12 (Node 22) no longer loads spdy.
 */
import type * as Restify from 'restify';

function loadQuietly(): typeof Restify {
  const emitWarning = process.emitWarning;
  const filtered = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const text = typeof warning === 'string' ? warning : warning.message;
    const code = typeof rest[1] === 'string' ? rest[1] : (rest[0] as { code?: string } | undefined)?.code;
    if (code === 'DEP0111' && text.includes('http_parser')) return;
    (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('restify') as typeof Restify;
  } finally {
    process.emitWarning = emitWarning;
  }
}

const restify = loadQuietly();
export default restify;
export type { Request, Response, Server, Next } from 'restify';
