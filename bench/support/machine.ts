import { cpus, loadavg } from 'node:os';

/** A 1-minute load average above this share of the cores means other work is running. */
export const BUSY_SHARE = 0.5;

export interface Machine {
  cores: number;
  /** True when `--force` made the bench measure on a busy machine: its figures are marked. */
  forced: boolean;
}

/** `load average 0.21 0.40 0.52 (2 cores)`, for the lines each bench prints beside its figures. */
export function loadLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${cpus().length} cores)`;
}

/** Whether a 1-minute load average means the machine is busy, and the sentence that says why. */
export function busyVerdict(oneMinute: number, cores: number): { busy: boolean; reason: string } {
  const limit = BUSY_SHARE * cores;
  return {
    busy: oneMinute > limit,
    reason: `1-minute load average ${oneMinute.toFixed(2)} > ${BUSY_SHARE} × ${cores} cores = ${limit.toFixed(2)}`,
  };
}

/**
 * Refuses to measure on a busy machine: figures taken while other programs use the cores say
 * more about those programs than about this service, and would be compared with idle runs.
 * Exits 3 with the reason unless `--force` is among the arguments; then the run goes on and
 * every figure line it prints says FORCED.
 */
export function requireIdleMachine(bench: string, argv: readonly string[] = process.argv): Machine {
  const cores = cpus().length;
  const forced = argv.includes('--force');
  const verdict = busyVerdict(loadavg()[0]!, cores);
  process.stdout.write(`${bench} — ${new Date().toISOString()}, ${loadLine()} before start\n`);
  if (verdict.busy) {
    if (!forced) {
      process.stderr.write(
        `${bench}: the machine is busy (${verdict.reason}), ` +
          'so its figures would not compare with other runs. Run it again when the machine is idle, or add --force to measure anyway (figures marked FORCED).\n',
      );
      process.exit(3);
    }
    process.stdout.write(`FORCED: measuring on a busy machine; these figures do not compare with idle runs\n`);
  }
  return { cores, forced: forced && verdict.busy };
}
