import type { ConversationReference } from 'botbuilder';
import { MongoClient } from 'mongodb';
import {
  ConversationRefDoc,
  findReference,
  markReferenceStale,
  REFERENCE_REWRITE_MS,
  saveConversationReference,
} from '../../bot/conversation-refs';
import { openTestDatabase, TestDatabase } from '../support/mongo';

describe('conversation references', () => {
  let tdb: TestDatabase;
  const refs = () => tdb.db.collection<ConversationRefDoc>('conversationRefs');
  const reference = (serviceUrl = 'https://smba.trafficmanager.net/amer/'): Partial<ConversationReference> => ({
    channelId: 'msteams',
    serviceUrl,
    bot: { id: '28:bot', name: 'Mesa' },
    user: { id: '29:ana', name: 'Ana López', aadObjectId: 'AAD-ANA' },
    conversation: { id: 'a:ana', conversationType: 'personal', isGroup: false, name: '' },
  });
  const at = (ms: number) => new Date(Date.parse('2026-03-02T16:00:00Z') + ms);

  beforeAll(async () => {
    tdb = await openTestDatabase();
  });
  afterAll(async () => {
    await tdb?.close();
  });
  beforeEach(async () => {
    await refs().deleteMany({});
  });

  it('stores the sender reference once per window while it does not change', async () => {
    await saveConversationReference(tdb.db, { ...reference(), activityId: 'act-1' }, 'AAD-ANA', at(0), 'ana.lopez');
    // Every activity has its own id; the reference is still the same conversation.
    await saveConversationReference(tdb.db, { ...reference(), activityId: 'act-2' }, 'AAD-ANA', at(1_000), 'ana.lopez');
    expect((await refs().findOne({ _id: 'aad-ana' }))?.updatedAt).toEqual(at(0));
    await saveConversationReference(tdb.db, reference(), 'AAD-ANA', at(REFERENCE_REWRITE_MS), 'ana.lopez');
    expect((await refs().findOne({ _id: 'aad-ana' }))?.updatedAt).toEqual(at(REFERENCE_REWRITE_MS));
  });

  it('writes a changed reference at once (Teams moved the person to another serviceUrl)', async () => {
    await saveConversationReference(tdb.db, reference(), 'AAD-ANA', at(0), 'ana.lopez');
    await saveConversationReference(
      tdb.db,
      reference('https://smba.trafficmanager.net/mx/'),
      'AAD-ANA',
      at(1_000),
      'ana.lopez',
    );
    expect(await refs().findOne({ _id: 'aad-ana' })).toMatchObject({
      serviceUrl: 'https://smba.trafficmanager.net/mx/',
      updatedAt: at(1_000),
    });
  });

  it('finds the references of people looked up together in one query, each their own latest live one', async () => {
    const person = (id: string, aad: string): Partial<ConversationReference> => ({
      ...reference(),
      user: { id: `29:${id}`, name: id, aadObjectId: aad },
      conversation: { id: `a:${id}`, conversationType: 'personal', isGroup: false, name: '' },
    });
    await saveConversationReference(tdb.db, person('ana', 'AAD-ANA'), 'AAD-ANA', at(0), 'ana.lopez');
    await saveConversationReference(tdb.db, person('ana-2', 'AAD-ANA-2'), 'AAD-ANA-2', at(5_000), 'ana.lopez');
    await saveConversationReference(tdb.db, person('carlos', 'AAD-CARLOS'), 'AAD-CARLOS', at(0), 'carlos.ramirez');
    await saveConversationReference(tdb.db, person('rosa', 'AAD-ROSA'), 'AAD-ROSA', at(0), 'rosa.mendez');
    await markReferenceStale(tdb.db, 'aad-rosa', at(1_000));
    const watcher = new MongoClient(tdb.uri, { monitorCommands: true });
    let finds = 0;
    watcher.on('commandStarted', (e) => {
      if (e.commandName === 'find') finds += 1;
    });
    try {
      const db = watcher.db(tdb.dbName);
      const found = await Promise.all([
        findReference(db, { personId: 'ana.lopez' }),
        findReference(db, { aadObjectId: 'AAD-CARLOS' }),
        findReference(db, { personId: 'rosa.mendez', aadObjectId: 'AAD-ROSA' }),
        findReference(db, { personId: 'nadie' }),
      ]);
      expect(found.map((r) => r?._id ?? null)).toEqual(['aad-ana-2', 'aad-carlos', null, null]);
      expect(finds).toBe(1);
    } finally {
      await watcher.close();
    }
  });

  it('clears a stale mark on the next activity even inside the window', async () => {
    await saveConversationReference(tdb.db, reference(), 'AAD-ANA', at(0), 'ana.lopez');
    await markReferenceStale(tdb.db, 'aad-ana', at(500));
    expect(await findReference(tdb.db, { personId: 'ana.lopez' })).toBeNull();
    await saveConversationReference(tdb.db, reference(), 'AAD-ANA', at(1_000), 'ana.lopez');
    expect(await findReference(tdb.db, { personId: 'ana.lopez' })).toMatchObject({
      _id: 'aad-ana',
      updatedAt: at(1_000),
    });
  });

  it('does not store group or channel conversations as a way to reach one person', async () => {
    const team = {
      ...reference(),
      conversation: { id: '19:team', conversationType: 'channel', isGroup: true, name: 'Soporte' },
    };
    expect(await saveConversationReference(tdb.db, team, 'AAD-ANA', at(0), 'ana.lopez')).toBeNull();
    expect(await refs().countDocuments({})).toBe(0);
  });
});
