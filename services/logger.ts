import pino, { DestinationStream, Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out before a line is written. Secrets must never reach a log file, even
 * when a whole config object, request or error is logged by mistake.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'appPassword',
  '*.appPassword',
  '*.*.appPassword',
  'MicrosoftAppPassword',
  '*.MicrosoftAppPassword',
  'apiToken',
  '*.apiToken',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'headers.authorization',
  'headers.Authorization',
  'IMAP_PASSWORD',
  'SMTP_PASSWORD',
  'API_TOKEN',
  '*.IMAP_PASSWORD',
  '*.SMTP_PASSWORD',
  '*.API_TOKEN',
];

/**
 * The root logger: JSON lines on stdout (or `destination`, for tests), secrets redacted.
 * Components get `logger.child({ component })` so every line says where it came from.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cjpf-mesa-de-servicio' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/** A child logger for one component (`http`, `outbox`, `bot`, ...). */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
