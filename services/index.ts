import { AppError } from './errors';
import { Config, describeConfig, loadConfig, readEnvFile } from './config';
import { createLogger, Logger } from './logger';
import type { NotificationChannel } from './outbox';
import { RunningService, StartMode, wire } from './wire';

export type { RunningService } from './wire';

/** `npm start`: the whole service. */
export function startService(
  config: Config,
  root: Logger,
  extraChannels: NotificationChannel[] = [],
): Promise<RunningService> {
  return wire(config, root, 'service', extraChannels);
}

/** `--intake-only`: only the desk mailbox poller, wired exactly as in the whole service. */
export function startIntakeOnly(config: Config, root: Logger): Promise<RunningService> {
  return wire(config, root, 'intake-only');
}

async function main(): Promise<void> {
  let config: Config;
  let envFile: string | undefined;
  try {
    const environment = readEnvFile();
    envFile = environment.file;
    config = loadConfig(environment.env);
  } catch (error) {
    createLogger('error').fatal(
      { problems: AppError.is(error) ? error.details.problems : undefined, err: error },
      'invalid configuration',
    );
    process.exit(1);
  }
  const root = createLogger(config.logLevel);
  root.info({ envFile, config: describeConfig(config) }, 'configuration');
  // Signals are handled from the first moment: one that arrives while the service is still
  // starting stops it as soon as it is up, instead of killing it half-initialised.
  let signalled: NodeJS.Signals | undefined;
  let service: RunningService | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    root.info({ signal }, 'shutting down');
    if (service) stopAndExit(service, root);
  };
  // `on`, not `once`: Ctrl-C under `npm start` delivers SIGINT twice (the terminal's, and the
  // one npm forwards); a second signal must not kill the process in the middle of its stop.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  const mode: StartMode = process.argv.includes('--intake-only') ? 'intake-only' : 'service';
  service = await wire(config, root, mode);
  if (signalled) stopAndExit(service, root);
}

function stopAndExit(service: RunningService, root: Logger): void {
  service.stop().then(
    () => {
      root.info('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      root.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    createLogger('error').fatal({ err: error }, 'start-up failed');
    process.exit(1);
  });
}
