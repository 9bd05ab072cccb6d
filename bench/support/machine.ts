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
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`;
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
  const oneMinute = loadavg()[0]!;
  const limit = BUSY_SHARE * cores;
  process.stdout.write(`${bench} — ${new Date().toISOString()}, ${loadLine()} before start\n`);
  if (oneMinute > limit) {
    if (!forced) {
      process.stderr.write(
        `${bench}: the machine is busy (1-minute load average ${oneMinute.toFixed(2)} > ${BUSY_SHARE} × ${cores} cores = ${limit.toFixed(2)}), ` +
          'so its figures would not compare with other runs. Run it again when the machine is idle, or add --force to measure anyway (figures marked FORCED).\n',
      );
      process.exit(3);
    }
    process.stdout.write(`FORCED: measuring on a busy machine; these figures do not compare with idle runs\n`);
  }
  return { cores, forced: forced && oneMinute > limit };
}
