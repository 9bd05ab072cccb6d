/**
 * The load generator of the benches, run as its own process so that it never shares an event
 * loop with what it measures: autocannon with the spec in the JSON file named by argv[2],
 * printing autocannon's result as one JSON line. Each request takes the next body of the
 * spec's list (round robin), so N prepared conversations get one message each.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { LoadSpec } from './load';

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  const bodies = spec.bodies.map((b) => JSON.stringify(b));
  let next = 0;
  const result = await autocannon({
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...spec.headers },
    connections: spec.connections,
    amount: spec.amount,
    ...(spec.rate ? { overallRate: spec.rate } : {}),
    timeout: 30,
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length]! }) }],
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
