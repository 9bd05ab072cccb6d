import example from '../../../services/directory/example-directory.json';
import { parseDirectory } from '../../../services/directory/validate';
import { ClockSource } from '../../../services/sla/clock-source';
import { openWorld, World } from '../orders/world';

const withLevels = (serviceLevels: unknown) => ({ ...example, serviceLevels });

describe('desk targets in the directory', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld();
  });
  afterAll(async () => {
    await w.t.close();
  });

  it("come from the imported directory, desk-wide, with a centre's own clocks where it differs", async () => {
    expect(await w.directory.deskTargets('CJPF-CDMX')).toEqual(example.serviceLevels.desk);
    const cancun = await w.directory.deskTargets('CJPF-QROO-CUN');
    expect(cancun).toEqual({
      ...example.serviceLevels.desk,
      onsiteAttentionHours: example.serviceLevels.centres[0]!.onsiteAttentionHours,
    });
  });

  it('reach the clocks through the directory', async () => {
    const clocks = new ClockSource(w.directory, w.directory, 'America/Mexico_City');
    const ctx = await clocks.context({ centreId: 'CJPF-QROO-CUN' }, new Date());
    expect(ctx.desk?.onsiteAttentionHours.critical).toBe(3);
  });

  it('are absent, and the desk clocks unmeasured, when the directory sets none', async () => {
    const { serviceLevels: _none, ...without } = example;
    await w.directory.replaceAll(parseDirectory(without));
    expect(await w.directory.deskTargets('CJPF-CDMX')).toBeNull();
    const clocks = new ClockSource(w.directory, w.directory, 'America/Mexico_City');
    const now = new Date();
    const measured = await clocks.clocksOf(
      { status: 'desk', priority: 'high', centreId: 'CJPF-CDMX', timestamps: { reportedAt: now }, history: [] },
      now,
    );
    expect(measured.clocks).toEqual([]);
  });

  it.each([
    [
      'a more urgent priority with more time',
      { desk: { ...example.serviceLevels.desk, responseHours: { critical: 3, high: 1, medium: 2, low: 4 } } },
      'serviceLevels.desk.responseHours.high',
    ],
    [
      'a missing priority',
      { desk: { ...example.serviceLevels.desk, resolutionHours: { critical: 9, high: 18, medium: 27 } } },
      'serviceLevels.desk.resolutionHours.low',
    ],
    [
      'an unknown centre',
      {
        ...example.serviceLevels,
        centres: [{ centreId: 'CJPF-NOPE', responseHours: example.serviceLevels.desk.responseHours }],
      },
      'serviceLevels.centres[0].centreId',
    ],
    [
      'an unknown clock',
      { ...example.serviceLevels, desk: { ...example.serviceLevels.desk, lunchHours: {} } },
      'serviceLevels.desk',
    ],
  ])('refuse a directory with %s, naming the field', (_label, levels, field) => {
    expect(() => parseDirectory(withLevels(levels))).toThrow(
      expect.objectContaining({ code: 'VALIDATION', userMessage: expect.stringContaining(field) }),
    );
  });
});
