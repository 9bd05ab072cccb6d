import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import { checkBearer } from './auth';
import { invalidField, sendError } from './respond';

/** The parameters `GET /api/intake` knows; the list-held-mails use case validates their values. */
export const INTAKE_PARAMETERS = ['folder', 'page', 'pageSize'] as const;

/** Import health as the read API answers it. */
export interface IntakeStatus {
  /** Poller state, or 'disabled' when no mailbox is configured. */
  mail: string;
  /** Counters (processed / refused / quarantined / last error); null while intake does not run. */
  counters: unknown;
  /** The latest quarantined and refused mails, newest first. */
  held: unknown;
}

export interface IntakeReads {
  /** `query` holds one plain string per parameter; throws VALIDATION naming the parameter. */
  intakeStatus(query: Record<string, string>): Promise<IntakeStatus>;
}

function plainIntakeQuery(raw: unknown): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (!(INTAKE_PARAMETERS as readonly string[]).includes(key)) throw invalidField(key, 'parámetro no reconocido');
    if (typeof value !== 'string') throw invalidField(key, 'debe indicarse una sola vez, como texto');
    query[key] = value;
  }
  return query;
}

/** `GET /api/intake?folder=quarantine|refused&page=&pageSize=`, bearer-guarded. */
export function registerIntakeRoutes(
  server: Server,
  deps: { intake: IntakeReads; apiToken?: string; logger: Logger },
): void {
  server.get('/api/intake', async (req: Request, res: Response) => {
    try {
      checkBearer(req.headers.authorization, deps.apiToken);
      res.send(200, await deps.intake.intakeStatus(plainIntakeQuery(req.query)));
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
}
