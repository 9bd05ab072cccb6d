import { OUR_HEADER } from '../services/mail/headers';
import type { IncomingMail } from './parse-mail';

export { classifyAutomated, mayAnswer } from './automated-mail';
export type { AutomatedKind, AutomatedVerdict } from './automated-mail';

const OUR_REF_IN_TEXT = new RegExp(`^${OUR_HEADER}:\\s*(\\S+)`, 'im');

/** The notification a bounce is about: our header quoted in the returned message or headers. */
export function bouncedReference(mail: IncomingMail): string | undefined {
  const match = OUR_REF_IN_TEXT.exec(mail.source.toString('utf8'));
  return match?.[1];
}
