/** What a mail asking about orders wants: one order's status, or the sender's open reports. */
export type StatusQuery = { kind: 'status'; folio: string } | { kind: 'mine' };

const plain = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

const STATUS =
  /^(?:re:\s*|rv:\s*|fw:\s*)*(?:consulta(?:r)?\s+(?:de\s+)?)?estado\s+(?:de\s+(?:la\s+)?(?:orden\s+)?)?(os-\d{4}-\d{6})\b/;
const MINE = /^(?:re:\s*)*mis\s+reportes[\s.!?¿¡]*$/;

/**
 * Reads a question in the subject or the first line of the new text, as people type the bot's
 * commands: «estado OS-2026-000123» (also «consulta estado de la orden …») and «mis
 * reportes». Anything else is not a question (undefined), so a report that merely names a
 * folio further on is never mistaken for one.
 */
export function statusQuery(subject: string, newText: string): StatusQuery | undefined {
  const firstLine = newText.split('\n').find((l) => l.trim().length > 0) ?? '';
  for (const line of [subject, firstLine].map(plain)) {
    const status = STATUS.exec(line);
    if (status) return { kind: 'status', folio: status[1]!.toUpperCase() };
    if (MINE.test(line)) return { kind: 'mine' };
  }
  return undefined;
}
