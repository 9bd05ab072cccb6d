/** One preflight verdict, in both languages, with what to do about it when it is not `ok`. */
export interface Verdict {
  status: 'ok' | 'warn' | 'fail' | 'skip';
  es: string;
  en: string;
  /** The fix, when there is one (Spanish, then English). */
  fix?: { es: string; en: string };
}

export interface Check {
  /** Short name shown before the verdict (`database`, `imap`, …). */
  name: string;
  /** Its own time limit: a check that hangs is reported as such and does not hold the others. */
  timeoutMs?: number;
  run(): Promise<Verdict>;
}

export const ok = (es: string, en: string): Verdict => ({ status: 'ok', es, en });
export const warn = (es: string, en: string, fix?: Verdict['fix']): Verdict => ({ status: 'warn', es, en, fix });
export const fail = (es: string, en: string, fix?: Verdict['fix']): Verdict => ({ status: 'fail', es, en, fix });
export const skip = (es: string, en: string): Verdict => ({ status: 'skip', es, en });

const DEFAULT_TIMEOUT_MS = 8000;

/** Runs every check at once, each under its own time limit; never rejects. */
export async function runChecks(
  checks: readonly Check[],
): Promise<Array<{ name: string; verdict: Verdict; ms: number }>> {
  return Promise.all(
    checks.map(async (check) => {
      const started = Date.now();
      const limit = check.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Verdict>((resolve) => {
        timer = setTimeout(
          () =>
            resolve(
              fail(`sin respuesta en ${limit / 1000} s`, `no answer within ${limit / 1000} s`, {
                es: 'revise que el servidor sea alcanzable desde esta máquina (DNS, cortafuegos, puerto)',
                en: 'check that the server is reachable from this machine (DNS, firewall, port)',
              }),
            ),
          limit,
        );
      });
      try {
        const verdict = await Promise.race([
          check
            .run()
            .catch((error: unknown) =>
              fail(`error inesperado: ${describe(error)}`, `unexpected error: ${describe(error)}`),
            ),
          timeout,
        ]);
        return { name: check.name, verdict, ms: Date.now() - started };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

/** One line of an error, never a stack. */
export function describe(error: unknown): string {
  const e = error as { message?: string; code?: string | number; responseText?: string; response?: string };
  const text = e?.responseText ?? e?.response ?? e?.message ?? String(error);
  const code = e?.code !== undefined && !String(text).includes(String(e.code)) ? ` (${e.code})` : '';
  return `${String(text).split('\n')[0]}${code}`;
}

const MARK: Record<Verdict['status'], string> = { ok: 'OK   ', warn: 'AVISO', fail: 'FALLA', skip: '  -  ' };

/** `FALLA imap: es / en — Solución: … / Fix: …`, one line per check. */
export function formatVerdict(name: string, v: Verdict): string {
  const fix = v.fix ? ` — Solución: ${v.fix.es} / Fix: ${v.fix.en}` : '';
  return `${MARK[v.status]} ${name}: ${v.es} / ${v.en}${fix}`;
}
