import { Harness, startHarness } from './harness';

describe('GET /healthz', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 200 with db ok and the mail poller disabled while the database answers', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', db: 'ok', mail: 'disabled' });
  });

  it('answers 503 once the database is gone', async () => {
    await h.tdb.close();
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', db: 'unreachable' });
  });
});
