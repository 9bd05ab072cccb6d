/**
 * The engine as its own process for bench/growth.ts: opens `argv[2]`, prints its URI, answers a
 * `mem` message with its memory usage, and on SIGTERM closes and exits, as `npm run db` does.
 */
import { startEngine } from '../src';

async function main(): Promise<void> {
  const engine = await startEngine({ port: 0, dbPath: process.argv[2] });
  process.on('message', (m) => {
    if (m === 'mem') process.send?.(process.memoryUsage());
  });
  process.once('SIGTERM', () => {
    void engine.close().then(() => process.exit(0));
  });
  process.stdout.write(`${engine.uri}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine failed: ${(err as Error).message}\n`);
  process.exit(1);
});
