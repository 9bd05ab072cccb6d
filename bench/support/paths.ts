import { dirname, join } from 'node:path';

/** The repository root, seen from `dist-bench/bench/support`. */
export const ROOT = join(__dirname, '..', '..', '..');

/** A program of the production build (`npm run build`, the one `npm start` runs). */
export const productionEntry = (relative: string): string => join(ROOT, 'dist', relative);

/** A program of the bench build (`tsconfig.bench.json`). */
export const benchEntry = (relative: string): string => join(ROOT, 'dist-bench', relative);

export const EXAMPLE_DIRECTORY = join(ROOT, 'services', 'directory', 'example-directory.json');

/** The embedded engine's own program (`npm run db`'s), from the built workspace package. */
export const ENGINE_CLI = join(dirname(require.resolve('@cjpf/embedded-mongo')), 'cli.js');
