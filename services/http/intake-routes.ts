import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import { checkBearer } from './auth';
import { jsonBody } from './bodies';
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

/** What staff do with a held mail (the use cases in intake/held-mails.ts). */
export interface HeldMailActions {
  /** Puts the mail through the mail rules again; answers what became of it. */
  release(key: string): Promise<{ outcome: string; folder: string; orderId?: string; reason?: string }>;
  /** Files the mail as refused, with who and why. */
  discard(key: string, actor: string, reason: string): Promise<void>;
}

const bodyField = (body: unknown, field: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string') throw invalidField(field, 'debe indicarse como texto');
  return value;
};

/**
 * `GET /api/intake?folder=quarantine|refused&page=&pageSize=`, bearer-guarded; with
 * `held`: `POST /api/intake/held/:key/release` and `POST /api/intake/held/:key/discard`
 * (`{"by": "<who>", "reason": "<why>"}`), the key being the mail log's id.
 */
export function registerIntakeRoutes(
  server: Server,
  deps: { intake: IntakeReads; held?: HeldMailActions; apiToken?: string; logger: Logger },
): void {
  const held = deps.held;
  if (held) {
    server.post('/api/intake/held/:key/release', async (req: Request, res: Response) => {
      try {
        checkBearer(req.headers.authorization, deps.apiToken);
        res.send(200, await held.release(String(req.params.key ?? '')));
      } catch (error) {
        sendError(res, error, deps.logger);
      }
    });
    server.post('/api/intake/held/:key/discard', jsonBody(16 * 1024), async (req: Request, res: Response) => {
      try {
        checkBearer(req.headers.authorization, deps.apiToken);
        const body: unknown = req.body;
        await held.discard(String(req.params.key ?? ''), bodyField(body, 'by'), bodyField(body, 'reason'));
        res.send(200, { discarded: true });
      } catch (error) {
        sendError(res, error, deps.logger);
      }
    });
  }
  server.get('/api/intake', async (req: Request, res: Response) => {
    try {
      checkBearer(req.headers.authorization, deps.apiToken);
      res.send(200, await deps.intake.intakeStatus(plainIntakeQuery(req.query)));
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
}
