import type { RenderedMail } from '../services/mail/templates';
import { automatedHeaders } from '../services/mail/headers';
import type { MailSender } from '../services/mail/mail-sender';
import { stableObjectId } from './intake-store';
import type { IncomingMail } from './parse-mail';

/**
 * Sends `answer` as a reply to `mail` (threaded by In-Reply-To/References, `Auto-Submitted:
 * auto-replied`), under a Message-ID derived from the mail's key and `kind`: a mail handled
 * again after a crash answers with the same Message-ID. The caller checks `mayAnswer` first.
 */
export async function answerMail(
  sender: MailSender,
  mail: IncomingMail,
  to: string,
  kind: string,
  answer: RenderedMail,
): Promise<void> {
  const domain = sender.from.split('@')[1];
  await sender.send({
    to,
    ...answer,
    messageId: `<${kind}.${stableObjectId(`${kind}:${mail.key}`).toHexString()}@${domain}>`,
    ...(mail.messageId ? { inReplyTo: mail.messageId, references: [...mail.references, mail.messageId] } : {}),
    headers: automatedHeaders(`reply:${mail.key}`, 'auto-replied'),
  });
}
