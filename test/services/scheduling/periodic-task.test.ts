import { Writable } from 'node:stream';
import { createLogger } from '../../../services/logger';
import { PeriodicTask } from '../../../services/scheduling/periodic-task';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A logger whose lines are kept, parsed, for assertions. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _e, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('PeriodicTask', () => {
  let task: PeriodicTask | undefined;
  afterEach(async () => {
    await task?.stop();
    task = undefined;
  });

  it('runs the pass again and again at the interval once started', async () => {
    let passes = 0;
    task = new PeriodicTask({
      name: 't',
      logger: recordingLogger().logger,
      intervalMs: 10,
      run: async () => {
        passes += 1;
      },
    });
    task.start();
    await waitFor(() => passes >= 3);
  });

  it('waits the pause a pass asks for before the next one', async () => {
    const at: number[] = [];
    task = new PeriodicTask({
      name: 't',
      logger: recordingLogger().logger,
      intervalMs: 10_000,
      run: async () => {
        at.push(Date.now());
        return at.length < 3 ? { nextInMs: 40 } : 3;
      },
    });
    task.start();
    await waitFor(() => at.length === 3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(35);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(35);
    expect(at[2]! - at[0]!).toBeLessThan(1000);
    // A count is not a pause: the third pass waits the interval.
    await sleep(100);
    expect(at).toHaveLength(3);
  });

  it('runs the next pass at once when a pass says more work is waiting', async () => {
    const at: number[] = [];
    task = new PeriodicTask({
      name: 't',
      logger: recordingLogger().logger,
      intervalMs: 10_000,
      run: async () => {
        at.push(Date.now());
        return at.length < 5;
      },
    });
    task.start();
    await waitFor(() => at.length === 5);
    expect(at[4]! - at[0]!).toBeLessThan(1000);
    await sleep(30);
    expect(at).toHaveLength(5);
  });

  it('never runs two passes at once when a pass is slower than the interval', async () => {
    let inFlight = 0;
    let most = 0;
    let passes = 0;
    task = new PeriodicTask({
      name: 't',
      logger: recordingLogger().logger,
      intervalMs: 1,
      run: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await sleep(20);
        inFlight -= 1;
        passes += 1;
        return true;
      },
    });
    task.start();
    task.start();
    await waitFor(() => passes >= 3);
    expect(most).toBe(1);
  });

  it('logs a failing pass with the task name and goes on with the next', async () => {
    const { logger, lines } = recordingLogger();
    let passes = 0;
    task = new PeriodicTask({
      name: 'sample',
      logger,
      intervalMs: 5,
      run: () => {
        passes += 1;
        if (passes === 1) return Promise.reject(new Error('db down'));
        if (passes === 2) throw new Error('sync failure');
        return Promise.resolve();
      },
    });
    task.start();
    await waitFor(() => passes >= 3);
    const failures = lines.filter((l) => l.msg === 'sample pass failed');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 50, task: 'sample', err: { message: 'db down' } });
    expect(failures[1]).toMatchObject({ task: 'sample', err: { message: 'sync failure' } });
  });

  it('waits in stop() for the pass in flight, and starts no pass after stop() resolves', async () => {
    let release!: () => void;
    let started!: () => void;
    const firstStarted = new Promise<void>((r) => {
      started = r;
    });
    let passes = 0;
    let finished = 0;
    task = new PeriodicTask({
      name: 't',
      logger: recordingLogger().logger,
      intervalMs: 1,
      run: async () => {
        passes += 1;
        started();
        if (passes === 1)
          await new Promise<void>((r) => {
            release = r;
          });
        finished += 1;
        return true;
      },
    });
    task.start();
    await firstStarted;
    let stopped = false;
    const stopping = task.stop().then(() => {
      stopped = true;
    });
    expect(task.stopping).toBe(true);
    await sleep(30);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(1);
    await sleep(30);
    expect(passes).toBe(1);
  });

  it('starts again after a stop', async () => {
    let passes = 0;
    task = new PeriodicTask({
      name: 't',
      logger: recordingLogger().logger,
      intervalMs: 5,
      run: async () => {
        passes += 1;
      },
    });
    task.start();
    await waitFor(() => passes >= 1);
    await task.stop();
    const before = passes;
    task.start();
    expect(task.stopping).toBe(false);
    await waitFor(() => passes >= before + 2);
  });
});
