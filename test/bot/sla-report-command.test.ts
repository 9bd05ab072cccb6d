import { botServices, TEST_ZONE } from '../support/order-services';
import { DeskBot } from '../../bot/desk-bot';
import { MongoStorage } from '../../bot/mongo-storage';
import { reportOrder } from '../../services/orders/report-order';
import { reportReads } from '../../services/reports/report-reads';
import { MongoReportSource } from '../../services/reports/report-store';
import { EXAMPLE_DESK_TARGETS } from '../support/desk-targets';
import { quietLogger } from '../services/outbox/fixtures';
import { BotWorld, Chat, openBotWorld, userOf } from './support/world';

describe('the reporte command', () => {
  let w: BotWorld;
  let bot: DeskBot;
  const chatOf = (personId: string) => new Chat(bot, userOf(personId));

  beforeAll(async () => {
    w = await openBotWorld();
    const source = new MongoReportSource(w.tdb.db);
    await source.ensureIndexes();
    bot = new DeskBot({
      db: w.tdb.db,
      storage: new MongoStorage(w.tdb.db),
      ...botServices(w.store, w.directory),
      centres: async () => [],
      logger: quietLogger(),
      reports: reportReads({ source, directory: w.directory, desk: EXAMPLE_DESK_TARGETS, zone: 'America/Mexico_City' }),
    });
    for (const description of ['No imprime la impresora de la sala 1', 'Sin red en la sala 2']) {
      await reportOrder(
        { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
        {
          channel: 'teams',
          actorId: 'fernando.ruiz',
          requesterId: 'fernando.ruiz',
          equipment: { type: 'printer' },
          description,
        },
      );
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  it.each([
    [
      'ana.lopez',
      'reporte mes',
      /Nivel de servicio, [a-z]+ de \d{4}[\s\S]*Órdenes: 2 \(Reportada: 2\)[\s\S]*Cumplimiento por reloj:[\s\S]*Incumplimientos: \d+ en \d+ órden/,
    ],
    [
      'ana.lopez',
      'Reporte 2020-01',
      /Nivel de servicio, enero de 2020\*\* \(2020-01-01 a 2020-01-31\)\nNo hay órdenes registradas en el periodo\./,
    ],
    ['ana.lopez', 'reporte 2026-13', /Indica el mes como AAAA-MM/],
    ['fernando.ruiz', 'reporte mes', /^El reporte de nivel de servicio es solo para los analistas/],
    ['miguel.torres', 'reporte 2026-03', /^El reporte de nivel de servicio es solo para los analistas/],
  ])('answers %s saying «%s»', async (personId, said, expected) => {
    expect(await chatOf(personId).text(said)).toMatch(expected);
  });
});
