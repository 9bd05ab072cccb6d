import { Writable } from 'node:stream';
import { componentLogger, createLogger } from '../../services/logger';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with the component of each child logger', () => {
    const out = capture();
    componentLogger(createLogger('info', out.stream), 'outbox').info({ orderId: 'o1' }, 'relayed');
    const [line] = out.lines();
    expect(line).toMatchObject({ component: 'outbox', orderId: 'o1', msg: 'relayed', level: 30 });
  });

  it('redacts passwords, tokens and Authorization headers wherever they are logged', () => {
    const out = capture();
    createLogger('info', out.stream).info(
      {
        config: { bot: { appPassword: 'bot-secret' }, apiToken: 'api-secret' },
        MicrosoftAppPassword: 'ms-secret',
        req: { headers: { authorization: 'Bearer abc' } },
        imap: { password: 'imap-secret' },
      },
      'start',
    );
    const text = JSON.stringify(out.lines()[0]);
    for (const secret of ['bot-secret', 'api-secret', 'ms-secret', 'Bearer abc', 'imap-secret']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('drops lines below the configured level', () => {
    const out = capture();
    const log = createLogger('warn', out.stream);
    log.info('hidden');
    log.warn('shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
  });
});
