/**
 * Text from orders and mails, made safe to show: React already escapes markup; this also
 * removes the bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F) a
 * hostile description can use to make text read differently than it is stored.
 */
export function safeText(value: string | undefined): string {
  return (value ?? '').replace(/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/g, '');
}

let zone = 'America/Mexico_City';
export function setTimeZone(timeZone: string): void {
  zone = timeZone;
}

/** A date as people in the centre read it: es-MX, in the centre's time zone. */
export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('es-MX', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(
    new Date(iso),
  );
}

/** Business time left (negative: overdue), in hours and minutes. */
export function formatRemaining(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const text = `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return ms < 0 ? `vencido hace ${text}` : `quedan ${text}`;
}
