import type { Request, Response, Server } from 'restify';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { formTokenFor, formTokenMatches, type LinkUses, verifyProviderLink } from '../links/provider-links';
import { tokenFailureMessage, type TokenClaims } from '../links/signed-token';
import { loadProviderFacts, providerBrief } from '../notifications/provider-brief';
import { orderFacts } from '../orders/apply-transition';
import { toObjectId } from '../orders/inputs';
import { documentAttention } from '../orders/document-attention';
import type { OrderServices } from '../orders/order-services';
import { recordProviderAttention } from '../orders/record-provider-attention';
import type { ServiceOrder } from '../orders/types';
import { availableActions, STATUS_LABELS } from '../workflow';
import { actionPage, messagePage, type PageAction } from './provider-action-page';

export interface ProviderActionDeps {
  /** The key provider links are signed with (derived per purpose). */
  secret: string;
  uses: LinkUses;
  services: Pick<OrderServices, 'orders' | 'directory' | 'policy' | 'analystRouting' | 'now'>;
  logger: Logger;
}

/** The page posts back to its own address and loads nothing: the policy allows exactly that. */
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const PAGE_ACTIONS: readonly PageAction[] = ['record_provider_attention', 'document'];
const MAX_FORM_BYTES = 16 * 1024;

function sendPage(res: Response, status: number, html: string): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.sendRaw(status, html, { 'Content-Type': 'text/html; charset=utf-8' });
}

const USED = messagePage(
  'Enlace ya utilizado',
  'Este enlace ya se usó para registrar una acción y no puede usarse otra vez. Cada aviso de la Mesa de Servicio trae un enlace nuevo; también puede responder al correo.',
  'bad',
);

type Opened = { ok: true; claims: TokenClaims; order: ServiceOrder } | { ok: false; status: number; html: string };

/** Checks the link (403 forged, 410 expired or used) and loads its order (404). */
async function openLink(deps: ProviderActionDeps, token: string): Promise<Opened> {
  const verified = verifyProviderLink(deps.secret, token);
  if (!verified.ok) {
    const status = verified.reason === 'expired' ? 410 : 403;
    return {
      ok: false,
      status,
      html: messagePage('Enlace no disponible', tokenFailureMessage(verified.reason), 'bad'),
    };
  }
  if (await deps.uses.isUsed(verified.claims.id)) return { ok: false, status: 410, html: USED };
  const order = /^[0-9a-f]{24}$/.test(verified.claims.subject)
    ? await deps.services.orders.findById(toObjectId(verified.claims.subject))
    : null;
  if (!order)
    return {
      ok: false,
      status: 404,
      html: messagePage('Orden no encontrada', 'La orden de este enlace ya no existe.', 'bad'),
    };
  return { ok: true, claims: verified.claims, order };
}

/** The provider actions the link's person may take on the order now. */
async function offered(deps: ProviderActionDeps, claims: TokenClaims, order: ServiceOrder): Promise<PageAction[]> {
  const person = await deps.services.directory.personById(claims.data?.actorId ?? '');
  if (!person) return [];
  const actor = {
    personId: person.id,
    roles: person.roles,
    centreIds: person.centreIds,
    providerId: person.providerId,
  };
  const open = availableActions(orderFacts(order), actor);
  return PAGE_ACTIONS.filter((a) => open.includes(a));
}

/** Reads an `application/x-www-form-urlencoded` body of at most MAX_FORM_BYTES. */
function readForm(req: Request): Promise<URLSearchParams | null> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        req.destroy();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

const nowStatus = (o: ServiceOrder) => `La orden ${o.folio} está ahora «${STATUS_LABELS[o.status]}».`;

/** Runs the action as the link's person, through the same use cases the cards call. */
async function act(deps: ProviderActionDeps, claims: TokenClaims, action: PageAction, form: URLSearchParams) {
  const base = {
    orderId: claims.subject,
    actorId: claims.data?.actorId ?? '',
    channel: 'email' as const,
  };
  const tdeps = { ...deps.services };
  if (action === 'record_provider_attention') {
    const note = form.get('note')?.trim();
    return recordProviderAttention(tdeps, { ...base, ...(note ? { note } : {}) });
  }
  return documentAttention(tdeps, { ...base, documentation: form.get('documentation') ?? '' });
}

async function handlePost(deps: ProviderActionDeps, req: Request, res: Response): Promise<void> {
  const opened = await openLink(deps, String(req.params.token ?? ''));
  if (!opened.ok) return sendPage(res, opened.status, opened.html);
  const { claims } = opened;
  const form = await readForm(req);
  const action = form?.get('action') as PageAction | undefined;
  if (!form || !formTokenMatches(deps.secret, form.get('form') ?? '', claims.id)) {
    const html = messagePage(
      'Formulario no válido',
      'El formulario no es válido o venció. Abra de nuevo el enlace del correo y envíelo desde ahí.',
      'bad',
    );
    return sendPage(res, 403, html);
  }
  if (!action || !PAGE_ACTIONS.includes(action))
    return sendPage(res, 400, messagePage('Acción desconocida', 'La acción solicitada no existe.', 'bad'));
  const at = (deps.services.now ?? (() => new Date()))();
  if (!(await deps.uses.claim(claims.id, { orderId: claims.subject, action, at }))) return sendPage(res, 410, USED);
  try {
    const after = await act(deps, claims, action, form);
    const done = action === 'document' ? 'La resolución quedó documentada.' : 'La atención quedó registrada.';
    sendPage(res, 200, messagePage('Acción registrada', `${done} ${nowStatus(after)} Gracias.`, 'good'));
  } catch (error) {
    await deps.uses.release(claims.id);
    if (!AppError.is(error)) throw error;
    const current = (await deps.services.orders.findById(opened.order._id)) ?? opened.order;
    const stale = error.code === 'INVALID_TRANSITION' || error.code === 'CONFLICT';
    const message = stale ? `No se registró nada. ${nowStatus(current)}` : error.userMessage;
    const status = stale ? 409 : error.code === 'VALIDATION' ? 400 : error.code === 'FORBIDDEN' ? 403 : 502;
    sendPage(res, status, messagePage('No se registró la acción', message, 'bad'));
  }
}

/**
 * `GET /provider/:token` shows the order's facts and the form for what the provider may do
 * now, and changes nothing. `POST /provider/:token` (the form, with its form token) runs the
 * action once, as the provider contact the link names: the link is claimed first by its id,
 * and given back when the action did not happen (a stale state, a refusal), so the link
 * works again for what is still open.
 */
export function registerProviderActionRoutes(server: Server, deps: ProviderActionDeps): void {
  const fail = (res: Response, error: unknown) => {
    deps.logger.error({ err: error }, 'provider action page failed');
    if (!res.headersSent)
      sendPage(res, 500, messagePage('Error', 'Ocurrió un error interno. Inténtelo más tarde.', 'bad'));
  };
  server.get('/provider/:token', async (req: Request, res: Response) => {
    try {
      const opened = await openLink(deps, String(req.params.token ?? ''));
      if (!opened.ok) return sendPage(res, opened.status, opened.html);
      const { claims, order } = opened;
      const lines = providerBrief(order, await loadProviderFacts(deps.services.directory, order));
      const actions = await offered(deps, claims, order);
      const html = actionPage(
        order.folio,
        lines,
        actions,
        formTokenFor(deps.secret, claims.id),
        STATUS_LABELS[order.status],
      );
      sendPage(res, 200, html);
    } catch (error) {
      fail(res, error);
    }
  });
  server.post('/provider/:token', async (req: Request, res: Response) => {
    try {
      await handlePost(deps, req, res);
    } catch (error) {
      fail(res, error);
    }
  });
}
