import type { PendingNotice, ServiceOrder } from '../../../services/orders/types';
import type { NotificationDoc } from '../../../services/outbox/types';
import { guardLoopbackOnly } from '../../support/loopback-only';
import { HttpBotWorld, openHttpBotWorld } from './http-world';

/**
 * One HttpBotWorld for the enclosing `describe`: opened before its tests, then handed to
 * `setUp` to seed orders and conversations; closed after them. Every test also checks that
 * nothing tried to reach beyond loopback, since the bot must never call out to the internet.
 */
export function useHttpBotWorld(setUp: (w: HttpBotWorld) => Promise<void>): void {
  const network = guardLoopbackOnly();
  let world: HttpBotWorld | undefined;
  beforeAll(async () => {
    world = await openHttpBotWorld();
    await setUp(world);
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    network.restore();
  });
  afterEach(() => {
    expect(network.attempts).toEqual([]);
  });
}

/** A requester reporting, in Teams, a printer that does not print. */
export const PRINTER_REPORT = {
  channel: 'teams' as const,
  actorId: 'fernando.ruiz',
  requesterId: 'fernando.ruiz',
  equipment: { type: 'printer' as const, location: 'Sala 3' },
  description: 'La impresora de la sala 3 no imprime',
};

/** The notification the outbox would hand a channel for a queued notice, already claimed. */
export const claimedNotification = (order: ServiceOrder, n: PendingNotice): NotificationDoc => ({
  _id: n.id,
  orderId: order._id,
  event: n.event,
  recipient: n.recipient,
  state: 'claimed',
  attempts: 1,
  dueAt: new Date(),
  log: [],
  createdAt: new Date(),
  updatedAt: new Date(),
});
