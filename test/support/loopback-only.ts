import net from 'node:net';

/**
 * Refuses, before any DNS lookup, every outgoing TCP connection that is not to loopback,
 * and records what was attempted, so a test can prove it made no network request.
 */
export function guardLoopbackOnly(): { attempts: string[]; restore(): void } {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  const patched = function (this: net.Socket, ...args: unknown[]): net.Socket {
    // http.Agent passes one pre-normalised array: [options, callback].
    const first = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string; path?: string } | number | string;
    const host =
      typeof first === 'object' && first !== null
        ? first.path
          ? 'unix'
          : (first.host ?? 'localhost')
        : typeof args[1] === 'string'
          ? args[1]
          : 'localhost';
    if (!['127.0.0.1', 'localhost', '::1', 'unix'].includes(host)) {
      attempts.push(host);
      process.nextTick(() => this.destroy(new Error(`network access to ${host} blocked by test`)));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  net.Socket.prototype.connect = patched as typeof net.Socket.prototype.connect;
  return {
    attempts,
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
}
