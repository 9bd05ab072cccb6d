import { ObjectId } from 'mongodb';
import { EmailChannel } from '../../../services/mail/email-channel';
import type { MailSender } from '../../../services/mail/mail-sender';
import type { ServiceOrder } from '../../../services/orders/types';
import { makeOrder } from '../http/harness';
import { claimedNotification } from '../outbox/fixtures';

const notice = claimedNotification(
  { _id: new ObjectId() },
  { id: 'n-errors-1', event: 'status_changed', recipient: { email: 'persona@cjf.example.mx', role: 'requester' } },
);

describe('EmailChannel failures', () => {
  const sent: unknown[] = [];
  const sender: MailSender = {
    from: 'escritorio@cjf.example.mx',
    send: async (mail) => {
      sent.push(mail);
    },
    close: async () => undefined,
  } as MailSender;

  it('maps a failure of the thread references (the database) to UPSTREAM, sending nothing', async () => {
    const channel = new EmailChannel({
      sender,
      directory: { personById: async () => null },
      refs: {
        rememberRef: async () => undefined,
        firstReceived: async () => {
          throw Object.assign(new Error('connection pool closed'), { code: 'ECONNRESET' });
        },
      },
    });
    const error = await channel.send(notice, makeOrder(1) as ServiceOrder).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'AppError',
      code: 'UPSTREAM',
      message: expect.stringContaining('connection pool closed'),
      details: { code: 'ECONNRESET' },
      userMessage: expect.stringMatching(/correo/),
    });
    expect(sent).toEqual([]);
  });

  it('keeps its own refusals as they are: a person without an address is NOT_FOUND', async () => {
    const channel = new EmailChannel({
      sender,
      directory: { personById: async () => null },
      refs: { rememberRef: async () => undefined, firstReceived: async () => undefined },
    });
    const error = await channel
      .send({ ...notice, recipient: { personId: 'nadie', role: 'requester' } }, makeOrder(2) as ServiceOrder)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('maps a directory failure while checking reachability to UPSTREAM', async () => {
    const channel = new EmailChannel({
      sender,
      directory: {
        personById: async () => {
          throw new Error('directory unavailable');
        },
      },
      refs: { rememberRef: async () => undefined, firstReceived: async () => undefined },
    });
    await expect(channel.canReach({ personId: 'alguien', role: 'requester' })).rejects.toMatchObject({
      code: 'UPSTREAM',
    });
  });
});
