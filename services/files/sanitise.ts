/**
 * What every channel does to the name and type a sender declares for a file, before it is
 * stored or shown. A leaf: it imports nothing, so mail parsing and the Teams bot can both
 * use it without pulling in storage.
 */

/** The type a file gets when its declared one is missing or malformed: opaque bytes. */
export const SAFE_CONTENT_TYPE = 'application/octet-stream';

/** RFC 6838: a type and a subtype of at most 127 characters each. */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A declared content type kept only when it is a plain `type/subtype` (parameters dropped); anything else is opaque bytes. */
export function safeContentType(value: unknown): string {
  const type = typeof value === 'string' ? value.split(';')[0]!.trim().toLowerCase() : '';
  return MIME_TYPE.test(type) ? type : SAFE_CONTENT_TYPE;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** A file name without path or control characters, at most 200 characters; `fallback` when nothing is left. */
export function safeFileName(value: unknown, fallback: string): string {
  const own = typeof value === 'string' ? value.replace(CONTROL_CHARACTERS, '').split(/[\\/]/).pop()!.trim() : '';
  return (own || fallback).slice(0, 200);
}
