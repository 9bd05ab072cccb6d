/**
 * Where an intake-completion turn («confirmar» that creates the order) spends its time in the
 * service: `npm run bench:turn-profile`. The service (`npm start`'s program on the embedded
 * engine, its own process, with `--cpu-prof`) gets TURNS conversations brought to their
 * summary, then one «confirmar» each, one at a time. Printed: database commands per turn
 * (driver command monitoring, by command and collection), service CPU per turn (the engine
 * runs in the same process, so its CPU is the turn's), and the profile's self time by
 * module and by function. The .cpuprofile is kept for a closer look (Chrome DevTools).
 * A script that prints figures, not a test.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadLine, requireIdleMachine } from './support/machine';
import { runLoad } from './support/load';
import { ROOT } from './support/paths';
import { startServiceProcess } from './support/service-process';
import { activity, startConnector, writeBenchDirectory } from './support/teams';

const TURNS = Number(process.env.BENCH_TURNS ?? 300);
const OUT = join(ROOT, 'test-artifacts', 'turn-profile');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * Self time (ms) by key over the samples of a V8 .cpuprofile taken within `window` (µs of
 * the monotonic clock, which `process.hrtime` reads in every process alike).
 */
function selfTime(
  file: string,
  window: [number, number],
  key: (frame: ProfileNode['callFrame']) => string,
): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
  };
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i]!;
    if (at < window[0] || at > window[1]) return;
    const k = key(frames.get(id)!);
    totals.set(k, (totals.get(k) ?? 0) + profile.timeDeltas[i]! / 1000);
  });
  return totals;
}

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

function moduleOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const path = frame.url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0)
    return path
      .slice(nm + 13)
      .split('/')
      .slice(0, path.slice(nm + 13).startsWith('@') ? 2 : 1)
      .join('/');
  if (path.startsWith('node:')) return 'node internals';
  const [top, second] = relative(join(ROOT, 'dist'), path).split('/');
  return top === 'services' || top === 'bot' ? `${top}/${second}` : `${top}`;
}

function top(totals: Map<string, number>, n: number, all: number): string {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `  ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
}

async function main(): Promise<void> {
  const machine = requireIdleMachine('bench:turn-profile');
  const dir = mkdtempSync(join(tmpdir(), 'bench-turn-'));
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const ids = Array.from({ length: TURNS + 20 }, (_, i) => `a:prof-${i}`);
  const requesterOf = (id: string) => `req.${id.slice(2)}`;
  writeBenchDirectory(join(dir, 'directory.json'), ids.map(requesterOf));
  const connector = await startConnector();
  const window: [number, number] = [0, 0];
  const service = await startServiceProcess({
    dataDir: join(dir, 'data'),
    env: { DIRECTORY_FILE: join(dir, 'directory.json') },
    countCommands: true,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${OUT}`],
  });
  try {
    const url = `http://127.0.0.1:${service.port}/api/messages`;
    const say = (list: string[], text: string) =>
      list.map((id) => activity(connector.url, id, requesterOf(id), { text }));
    const warm = ids.slice(TURNS);
    const measured = ids.slice(0, TURNS);
    await runLoad({
      url,
      bodies: say(warm, 'la impresora de la sala 3 no imprime, inventario CJF-1234'),
      connections: 1,
      amount: warm.length,
    });
    await runLoad({ url, bodies: say(warm, 'confirmar'), connections: 1, amount: warm.length });
    await runLoad({
      url,
      bodies: say(measured, 'la impresora de la sala 3 no imprime, inventario CJF-1234'),
      connections: 4,
      amount: measured.length,
    });
    await new Promise((r) => setTimeout(r, 3000));
    const before = { commands: await service.commands(), cpu: service.cpuMs() };
    const t0 = performance.now();
    window[0] = monotonicMicros();
    const run = await runLoad({ url, bodies: say(measured, 'confirmar'), connections: 1, amount: measured.length });
    const seconds = (performance.now() - t0) / 1000;
    window[1] = monotonicMicros();
    const after = { commands: await service.commands(), cpu: service.cpuMs() };
    // The new-order notices each turn queued, relayed and tried in the background.
    await new Promise((r) => setTimeout(r, 3000));
    const settled = await service.commands();
    const delta = (a: Record<string, number>, b: Record<string, number>) =>
      Object.entries(a)
        .map(([k, v]) => [k, v - (b[k] ?? 0)] as const)
        .filter(([, v]) => v > 0)
        .sort((x, y) => y[1] - x[1]);
    const inTurn = delta(after.commands, before.commands);
    const total = inTurn.reduce((s, [, v]) => s + v, 0);
    process.stdout.write(
      `\nbench:turn-profile${machine.forced ? ' FORCED' : ''} — ${TURNS} intake completions one at a time, ${loadLine()}\n`,
    );
    process.stdout.write(`turn latency p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms; ${run.failures} failed\n`);
    process.stdout.write(
      `service CPU per turn: ${((after.cpu - before.cpu) / TURNS).toFixed(2)} ms (wall ${((1000 * seconds) / TURNS).toFixed(2)} ms per turn, engine included)\n`,
    );
    process.stdout.write(`database commands per turn while the turns ran: ${(total / TURNS).toFixed(2)}\n`);
    for (const [k, v] of inTurn) process.stdout.write(`  ${(v / TURNS).toFixed(2).padStart(6)}  ${k}\n`);
    const later = delta(settled, after.commands);
    process.stdout.write(
      `in the 3 s after (background: outbox, monitors): ${later.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}\n`,
    );
  } finally {
    await service.stop();
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const file = readdirSync(OUT).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the service wrote no CPU profile');
  const path = join(OUT, file);
  const byModule = selfTime(path, window, moduleOf);
  const all = [...byModule.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(
    `\nCPU profile of the service while the turns ran: ${path}\nself time by module:\n${top(byModule, 18, all)}\n`,
  );
  const byFunction = selfTime(
    path,
    window,
    (f) => `${f.functionName || '(anonymous)'} ${moduleOf(f)}:${f.lineNumber + 1}`,
  );
  process.stdout.write(`self time by function:\n${top(byFunction, 25, all)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
