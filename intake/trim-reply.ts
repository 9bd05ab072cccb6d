/**
 * Lines that start the quoted part of a reply or a signature, in the shapes Outlook,
 * Gmail, Apple Mail and Thunderbird write them in Spanish and English. Everything from
 * the first such line on is dropped from what is appended to an order.
 */
const CUT_LINES: RegExp[] = [
  /^-{2,}\s*(mensaje original|original message|mensaje reenviado|forwarded message)\s*-{2,}/i,
  /^[_-]{10,}\s*$/, // Outlook's rule above "De: … Enviado: …" (a <hr> once turned into text)
  /^(de|from):\s.+/i, // Outlook header block of the quoted mail
  /^(el|on)\s.+(escribi[oó]|wrote):?\s*$/i,
  /^(el|on)\s.{0,120}$/i, // "El lun, 3 mar 2026 a las 10:15, Ana" … wrapped before "escribió:"
  /^--\s*$/, // signature separator
  /^(enviado desde mi|sent from my)\s/i,
  /^>/,
];

function startsQuote(line: string, next: string | undefined): boolean {
  const l = line.trim();
  for (const [i, re] of CUT_LINES.entries()) {
    if (!re.test(l)) continue;
    // A bare "El …" line only counts when the next line finishes "escribió:".
    if (i === 4) return next !== undefined && /(escribi[oó]|wrote):?\s*$/i.test(next.trim());
    return true;
  }
  return false;
}

const SIGNATURE_START = [/^--\s*$/, /^(enviado desde mi|sent from my)\s/i];
/** Lines that open a forwarded or quoted mail: where a signature block ends. */
const FORWARD_START = CUT_LINES.slice(0, 4);

/**
 * A new report's text: each signature block (from `-- ` or «Enviado desde mi…» up to the
 * next forwarded or quoted mail, or the end) is cut, and everything else is kept — a
 * forwarded mail is the report, so its content must stay.
 */
export function trimSignature(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  let inSignature = false;
  for (const line of lines) {
    const l = line.trim();
    if (inSignature && FORWARD_START.some((re) => re.test(l))) inSignature = false;
    else if (!inSignature && SIGNATURE_START.some((re) => re.test(l))) inSignature = true;
    if (!inSignature) kept.push(line.trimEnd());
  }
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The new text of a reply: quoted history and signature cut, blank runs collapsed. */
export function trimReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (startsQuote(line, lines[i + 1])) break;
    kept.push(line.trimEnd());
  }
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
