import { IntakeStats, IntakeStore, listHeldMails } from '../../intake';
import type { IntakeReads } from './intake-routes';

/** IntakeReads over the poller's live counters and the mail log's held mails. */
export function intakeReadsFrom(
  store: Pick<IntakeStore, 'listHeld'>,
  poller: { state(): string; stats(): IntakeStats | undefined },
): IntakeReads {
  return {
    intakeStatus: async (query) => {
      const held = await listHeldMails({ store }, query);
      return { mail: poller.state(), counters: poller.stats() ?? null, held };
    },
  };
}
