/** The outcome of one call in a batch: its value, or the error only that call gets. */
export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Gathers the calls made during one turn of the event loop and runs them as one batch when
 * the turn's I/O callbacks are done (`setImmediate`). Under load, requests that reach the
 * same step together (several bot turns reading their dialog state) then share one database
 * round trip; a lone call waits only for the end of the current turn. `runBatch` answers an
 * outcome per input, in order; if it throws, every call of the batch gets that error.
 */
export function coalesce<I, O>(
  runBatch: (inputs: readonly I[]) => Promise<readonly Outcome<O>[]>,
): (input: I) => Promise<O> {
  type Waiting = { input: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] | undefined;
  const flush = async () => {
    const batch = waiting ?? [];
    waiting = undefined;
    try {
      const outcomes = await runBatch(batch.map((w) => w.input));
      batch.forEach((w, i) => {
        const outcome = outcomes[i];
        if (!outcome) w.reject(new Error('batch answered fewer outcomes than calls'));
        else if (outcome.ok) w.resolve(outcome.value);
        else w.reject(outcome.error);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      if (!waiting) {
        waiting = [];
        setImmediate(() => void flush());
      }
      waiting.push({ input, resolve, reject });
    });
}
