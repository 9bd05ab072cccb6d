import type { ServiceOrder } from '../orders/types';
import type { NoticeDraft } from './notices';

/**
 * Who receives an issued Cédula: the requester always; the judge only when a judge took
 * part in the order — the one who signed its validation. An order closed remotely or
 * resolved on site without validation never reached a judge, so no judge is sent its Cédula.
 */
export function cedulaNoticeDrafts(order: Pick<ServiceOrder, 'requester' | 'signature'>): NoticeDraft[] {
  const drafts: NoticeDraft[] = [
    { occasion: 'cedula_issued', event: 'cedula_issued', to: order.requester, role: 'requester' },
  ];
  const judge = order.signature?.judge;
  if (judge)
    drafts.push({
      occasion: 'cedula_issued',
      event: 'cedula_issued',
      to: { personId: judge.personId, email: judge.email },
      role: 'judge',
    });
  return drafts;
}
