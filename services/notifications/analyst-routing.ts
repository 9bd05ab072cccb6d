import type { DirectoryReader } from '../directory/directory-store';
import type { Person } from '../directory/schema';

/** ANALYST_ROUTING: which analysts hear of new orders, validations, resolutions and SLA alarms. */
export type AnalystRouting = 'all' | 'roster';

/**
 * The analysts a notice goes to. With `roster`, the analysts marked `onDuty` — or every
 * analyst when nobody is on duty, so new work is never announced to no one.
 */
export async function analystsToNotify(
  directory: Pick<DirectoryReader, 'analysts'>,
  routing: AnalystRouting,
): Promise<Person[]> {
  const all = await directory.analysts();
  if (routing === 'all') return all;
  const onDuty = all.filter((p) => p.onDuty === true);
  return onDuty.length > 0 ? onDuty : all;
}
