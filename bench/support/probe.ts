/**
 * Preloaded (`node -r`) into a service started by a bench, to read what only the process
 * itself can: on the IPC channel it answers `'memory'` with `process.memoryUsage()` and
 * `'commands'` with the database commands its MongoDB clients have sent so far, by command
 * and collection (driver command monitoring, switched on for every client the service
 * connects). The channel is unreferenced so that it never keeps the service alive.
 */
import { MongoClient } from 'mongodb';

const commands = new Map<string, number>();

if (process.env.BENCH_COUNT_COMMANDS === '1') {
  const connect = MongoClient.prototype.connect;
  MongoClient.prototype.connect = function (this: MongoClient) {
    // Not in the driver's types, but read by every connection the client opens after this.
    (this as unknown as { options: { monitorCommands: boolean } }).options.monitorCommands = true;
    this.on('commandStarted', (event) => {
      const target = event.command[event.commandName];
      const key = typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
      commands.set(key, (commands.get(key) ?? 0) + 1);
    });
    return connect.call(this);
  };
}

if (process.send) {
  process.on('message', (message) => {
    if (message === 'memory') process.send!({ memory: process.memoryUsage() });
    if (message === 'commands') process.send!({ commands: Object.fromEntries(commands) });
  });
  process.channel?.unref();
}
