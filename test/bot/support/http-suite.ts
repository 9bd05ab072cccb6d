import { guardLoopbackOnly } from '../../support/loopback-only';
import { HttpBotWorld, openHttpBotWorld } from './http-world';

export { claimedNotification } from '../../services/outbox/fixtures';

/**
 * One HttpBotWorld for the enclosing `describe`, opened with `options`: opened before its
 * tests, then handed to `setUp` to seed orders and conversations; closed after them. Every
 * test also checks that nothing tried to reach beyond loopback, since the bot must never
 * call out to the internet.
 */
export function useHttpBotWorld(
  setUp: (w: HttpBotWorld) => Promise<void>,
  options: Parameters<typeof openHttpBotWorld>[0] = {},
): void {
  const network = guardLoopbackOnly();
  let world: HttpBotWorld | undefined;
  beforeAll(async () => {
    world = await openHttpBotWorld(options);
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
