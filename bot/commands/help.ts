import { REPLIES } from '../replies';
import type { CommandContext } from './context';

/** `ayuda`: the commands everyone has, plus those of the asker's staff roles. */
export async function showHelp(ctx: CommandContext): Promise<void> {
  const roles = ctx.identity.person?.roles ?? [];
  const extra = [
    roles.includes('analyst') ? REPLIES.staffHelp.analyst : '',
    roles.includes('engineer') ? REPLIES.staffHelp.engineer : '',
  ].filter(Boolean);
  await ctx.turn.sendActivity([REPLIES.help, ...extra].join('\n'));
}
