/**
 * `npm run doctor [-- --mail-to <address>] [--bot-authority <url>]`: a preflight of a
 * production configuration (the same environment and .env the service reads). Every check
 * runs at once under its own time limit, so the whole run ends within about 15 s and reports
 * every check even when the first fails; one line each, Spanish / English, with the fix.
 * Exits 1 when any check fails, 0 otherwise (warnings included).
 */
import { loadConfig, readEnvFile } from '../config';
import { AppError } from '../errors';
import { formatVerdict, runChecks } from './check';
import { allChecks, DoctorOptions } from './checks';

export function parseDoctorArgs(argv: readonly string[]): DoctorOptions {
  const options: DoctorOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--mail-to' && value) {
      options.mailTo = value;
      i++;
    } else if (argv[i] === '--bot-authority' && value && /^https?:\/\//.test(value)) {
      options.botAuthority = value;
      i++;
    } else {
      throw new AppError(
        'VALIDATION',
        `unknown argument ${argv[i]}`,
        'Uso: npm run doctor -- [--mail-to <dirección>] [--bot-authority <https://…>]',
      );
    }
  }
  return options;
}

async function main(): Promise<number> {
  const options = parseDoctorArgs(process.argv.slice(2));
  let config;
  try {
    config = loadConfig(readEnvFile().env);
  } catch (error) {
    const problems = AppError.is(error)
      ? (error.details.problems as Array<{ field: string; message: string }> | undefined)
      : undefined;
    process.stdout.write(
      `FALLA config: la configuración no es válida / the configuration is invalid — ${problems?.map((p) => `${p.field}: ${p.message}`).join('; ') ?? String(error)}\n`,
    );
    return 1;
  }
  const results = await runChecks(allChecks(config, options));
  for (const { name, verdict } of results) process.stdout.write(`${formatVerdict(name, verdict)}\n`);
  const failed = results.filter((r) => r.verdict.status === 'fail').length;
  process.stdout.write(
    failed === 0
      ? 'Listo para producción / Ready for production\n'
      : `${failed} comprobación(es) fallaron / ${failed} check(s) failed\n`,
  );
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${AppError.is(error) ? error.userMessage : String(error)}\n`);
      process.exit(2);
    },
  );
}
