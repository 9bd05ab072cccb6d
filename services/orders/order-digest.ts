import { createHash } from 'node:crypto';
import type { ServiceOrder } from './types';

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object' && typeof (value as { toHexString?: unknown }).toHexString === 'function') {
    return (value as { toHexString(): string }).toHexString();
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * The summary a judge signs: what was asked, for which centre and equipment, and every step
 * taken so far (who, when, from → to, note); delivery records of notices are not part of
 * it, since they are appended after the fact without changing the order. Serialised with sorted keys and ISO dates, so
 * the same order always yields the same text and anyone can recompute the digest later.
 */
export function canonicalSummary(order: ServiceOrder): string {
  const summary = {
    orderId: order._id,
    folio: order.folio,
    centreId: order.centreId,
    requester: order.requester,
    equipment: order.equipment,
    description: order.description,
    priority: order.priority,
    provider: order.provider,
    resolution: order.resolution,
    validation: order.validation,
    history: order.history
      .filter((h) => h.action !== 'notification')
      .map((h) => ({
        at: h.at,
        action: h.action,
        by: h.by.personId ?? h.by.email,
        from: h.from,
        to: h.to,
        note: h.note,
      })),
  };
  return JSON.stringify(canonical(summary));
}

/** SHA-256 (hex) of `canonicalSummary`: stored with the signature as proof of what was signed. */
export function orderDigest(order: ServiceOrder): string {
  return createHash('sha256').update(canonicalSummary(order), 'utf8').digest('hex');
}
