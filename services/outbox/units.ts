import { batchKey, ONE_BY_ONE_EVENTS } from '../notifications/delivery-rules';
import type { NotificationDoc } from './types';

/**
 * The units a claimed batch is sent in: without a digest window, each notice alone; with
 * one, all of a person's batchable notices together (each in the batch's order), except
 * receipts that were never held, which go one by one.
 */
export function unitsOf(batch: readonly NotificationDoc[], digest: boolean): NotificationDoc[][] {
  if (!digest) return batch.map((doc) => [doc]);
  const units: NotificationDoc[][] = [];
  const byKey = new Map<string, NotificationDoc[]>();
  for (const doc of batch) {
    // A receipt not yet held goes alone (it still counts against the person's window).
    const key = ONE_BY_ONE_EVENTS.includes(doc.event) && !doc.held ? undefined : batchKey(doc);
    const unit = key ? byKey.get(key) : undefined;
    if (unit) unit.push(doc);
    else {
      const fresh = [doc];
      units.push(fresh);
      if (key) byKey.set(key, fresh);
    }
  }
  return units;
}
