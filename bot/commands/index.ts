import type { Command } from './parse';
import { addToOrderCommand } from './add';
import { showAssigned } from './assigned';
import type { CommandContext } from './context';
import { showHelp } from './help';
import { showMyReports } from './my-reports';
import { showQueue } from './queue';
import { showSlaReport } from './sla-report';
import { showStatus } from './status';
import { changePriority } from './set-priority';
import { correctOrderFacts } from './correct-facts';

export { parseCommand, FOLIO_PATTERN } from './parse';
export type { Command } from './parse';
export type { CommandContext } from './context';
export { MAX_LIST_CARDS } from './context';

/** The commands answered in one reply; the others start or steer the report dialog. */
export type ReplyCommand = Exclude<Command, { kind: 'report' | 'phone_report' | 'cancel' }>;

export function isReplyCommand(command: Command | null): command is ReplyCommand {
  return command !== null && command.kind !== 'report' && command.kind !== 'phone_report' && command.kind !== 'cancel';
}

/**
 * Answers a command. The switch is exhaustive: a new kind of command in parse.ts does not
 * compile until it has its handler here, one file per command.
 */
export function runCommand(ctx: CommandContext, command: ReplyCommand): Promise<void> {
  switch (command.kind) {
    case 'help':
      return showHelp(ctx);
    case 'status':
      return showStatus(ctx, command.folio);
    case 'my_reports':
      return showMyReports(ctx);
    case 'queue':
      return showQueue(ctx);
    case 'sla_report':
      return showSlaReport(ctx, command.month);
    case 'assigned':
      return showAssigned(ctx);
    case 'set_priority':
      return changePriority(ctx, command.folio, command.change, command.reason);
    case 'correct_facts':
      return correctOrderFacts(ctx, command.folio, command.correction, command.reason);
    case 'add':
      return addToOrderCommand(ctx, command.folio, command.text);
  }
}
