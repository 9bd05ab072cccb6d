/**
 * Where a Cédula is reached over HTTP. Printed on the document and quoted in notices, so
 * both must agree with the routes registered in cedula-routes.ts.
 */

/** The public page that checks a verification code (no token needed). */
export const verifyPath = (code: string) => `/cedula/verify/${code}`;

/**
 * The PDF of a Cédula for anyone holding its verification code (the requester and the judge,
 * who have no API token). The code is an HMAC under the server's secret: it cannot be guessed
 * from the folio, so knowing it is the permission to read the document it certifies.
 */
export const publicPdfPath = (code: string) => `/cedula/${code}.pdf`;

/** `path` under PUBLIC_BASE_URL when set (links in mail and Teams must be absolute); else the path. */
export const absoluteUrl = (baseUrl: string | undefined, path: string) =>
  baseUrl ? `${baseUrl.replace(/\/+$/, '')}${path}` : path;
