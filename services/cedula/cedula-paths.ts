/**
 * Where a Cédula is reached over HTTP. Printed on the document and quoted in notices, so
 * both must agree with the routes registered in cedula-routes.ts.
 */

/** The public page that checks a verification code (no token needed). */
export const verifyPath = (code: string) => `/cedula/verify/${code}`;

/** The PDF of an order's Cédula, for staff holding the API token. */
export const downloadPath = (folio: string) => `/api/orders/${folio}/cedula`;
