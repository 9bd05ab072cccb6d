import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Db, MongoClient } from 'mongodb';
import { DEFAULT_DATABASE } from '../../services/config';
import { ENGINE_CLI } from './paths';

/**
 * Runs `fill` against the service's database in `dataDir` before the service starts, through
 * the embedded engine on its own (`npm run db`'s program) and the official driver, then stops
 * the engine so that the service opens the data directory as it would after any restart.
 */
export async function seedDataDir<T>(dataDir: string, fill: (db: Db, client: MongoClient) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, [ENGINE_CLI, '--port', '0', '--dbpath', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const orphan = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', orphan);
  try {
    const uri = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (line) => resolve(line.trim()));
      child.once('exit', (code) => reject(new Error(`engine exited with ${code}`)));
    });
    const client = await MongoClient.connect(uri);
    try {
      return await fill(client.db(DEFAULT_DATABASE), client);
    } finally {
      await client.close();
    }
  } finally {
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    process.removeListener('exit', orphan);
  }
}
