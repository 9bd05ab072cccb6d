import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written into each stack's directory so a later run can recognise an abandoned stack. */
export const OWNER_FILE = 'owner.json';
export const DIR_PREFIX = 'mail-stack-';

interface OwnerRecord {
  ownerPid: number;
  daemonPids: number[];
}

export function recordOwner(dir: string, daemonPids: number[]): void {
  const record: OwnerRecord = { ownerPid: process.pid, daemonPids };
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify(record));
}

/**
 * Removes stacks left behind by a test process that died without stopping them (SIGKILL,
 * crash). A daemon is killed only when its command line still names that stack's directory,
 * so a recycled PID is never hit.
 */
export function removeAbandonedStacks(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    let record: OwnerRecord;
    try {
      record = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
    } catch {
      // No record: still being set up, unless it has been like that for a long while.
      if (ageMs(dir) > 10 * 60_000) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (alive(record.ownerPid)) continue;
    for (const pid of record.daemonPids) {
      if (commandLine(pid).includes(dir)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
