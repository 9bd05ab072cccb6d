/**
 * The TCP side: one MessageSplitter per connection, each whole message decoded, dispatched
 * synchronously and answered in the form it came in (OP_REPLY for OP_QUERY, OP_MSG otherwise).
 * A client that sets moreToCome gets no reply.
 */
import { Server, Socket, createServer } from 'node:net';
import { Dispatcher, EngineLogger } from './dispatch';
import { Engine } from './engine';
import { MessageSplitter, OP_QUERY, decodeMessage, encodeOpMsg, encodeOpReply } from './wire';
import { errorReply, toCommandError } from './errors';

/** TCP listener bound by the caller to loopback; one reply per request unless moreToCome. */
export class WireServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextResponseId = 1;

  constructor(
    private readonly engine: Engine,
    private readonly dispatcher: Dispatcher,
    private readonly logger?: EngineLogger,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops listening and destroys open connections (clients see a closed socket). */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const connectionId = this.engine.connectionId();
    const splitter = new MessageSplitter();
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = splitter.push(chunk);
      } catch (err) {
        this.logger?.warn({ err: (err as Error).message, connectionId }, 'dropping connection with a malformed stream');
        socket.destroy();
        return;
      }
      const out = messages.map((m) => this.answer(m, connectionId)).filter((b): b is Buffer => b !== undefined);
      if (out.length > 0) socket.write(out.length === 1 && out[0] ? out[0] : Buffer.concat(out));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private answer(message: Buffer, connectionId: number): Buffer | undefined {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    let reply;
    let moreToCome = false;
    try {
      const req = decodeMessage(message);
      moreToCome = req.moreToCome;
      reply = this.dispatcher.handle(req.db, req.command, connectionId);
    } catch (err) {
      reply = errorReply(toCommandError(err));
    }
    if (moreToCome) return undefined;
    const id = this.nextResponseId++;
    return opCode === OP_QUERY ? encodeOpReply(reply, id, requestId) : encodeOpMsg(reply, id, requestId);
  }
}
