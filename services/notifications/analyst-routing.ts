import type { DirectoryReader } from '../directory/directory-store';

export type AnalystRouting = 'all' | 'roster';

/**
 * The directory as notice routing sees it: with `roster`, `analysts()` answers the analysts
 * marked `onDuty` — or every analyst when nobody is on duty, so new work is never announced
 * to no one. Every other lookup is the directory's own. With `all`, the directory unchanged.
 */
export function withAnalystRouting<D extends Pick<DirectoryReader, 'analysts'>>(directory: D, routing: AnalystRouting): D {
  if (routing === 'all') return directory;
  const routed = Object.create(directory) as D;
  routed.analysts = async () => {
    const all = await directory.analysts();
    const onDuty = all.filter((p) => p.onDuty === true);
    return onDuty.length > 0 ? onDuty : all;
  };
  return routed;
}
