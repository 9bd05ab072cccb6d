import { REPLIES } from '../replies';
import { monthDays, slaReportText } from '../sla-report-reply';
import type { CommandContext } from './context';

/** `reporte mes` / `reporte AAAA-MM`: the period's service levels, for analysts. */
export async function showSlaReport(ctx: CommandContext, month: string): Promise<void> {
  if (!ctx.identity.person?.roles.includes('analyst')) {
    await ctx.turn.sendActivity(REPLIES.notAnalyst);
    return;
  }
  const days = monthDays(month, ctx.services.timeZone, (ctx.services.now ?? (() => new Date()))());
  if (!days) {
    await ctx.turn.sendActivity(REPLIES.badMonth);
    return;
  }
  if (!ctx.reports) {
    await ctx.turn.sendActivity(REPLIES.unavailable);
    return;
  }
  const { report } = await ctx.reports.slaReport({ from: days.from, to: days.to });
  await ctx.turn.sendActivity(slaReportText(report, days));
}
