import type { BriefLine } from '../notifications/provider-brief';
import { MAIL_SIGNATURE } from '../notifications/messages';

/** Every value on the page passes through this: order text comes from mail and chat. */
const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The actions the page can offer: the two a provider takes on an order. */
export type PageAction = 'record_provider_attention' | 'document';

const STYLE =
  'body{font-family:system-ui,Arial,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1f2933}' +
  'h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:bold}' +
  'dd{margin:0;white-space:pre-wrap}form{margin:1.5rem 0;padding:1rem;border:1px solid #cbd2d9;border-radius:6px}' +
  'textarea{width:100%;min-height:8rem;box-sizing:border-box}button{margin-top:.6rem;padding:.5rem 1rem;font-size:1rem}' +
  '.note{color:#52606d}.bad{color:#a61b1b}.good{color:#1e6f3e}';

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escape(title)}</title><style>${STYLE}</style></head><body><p class="note">${escape(MAIL_SIGNATURE)}</p>${body}</body></html>`;
}

const briefList = (lines: readonly BriefLine[]) =>
  `<dl>${lines.map((l) => `<dt>${escape(l.label)}</dt><dd>${escape(l.value)}</dd>`).join('')}</dl>`;

function actionForm(action: PageAction, formToken: string): string {
  const hidden = `<input type="hidden" name="form" value="${escape(formToken)}"><input type="hidden" name="action" value="${action}">`;
  if (action === 'record_provider_attention')
    return `<form method="post">${hidden}<h2>Registrar atención</h2><p>Confirme que su personal atendió la falla en sitio. Se pedirá al solicitante validar la atención.</p><label for="note">Comentario (opcional)</label><textarea id="note" name="note" maxlength="2000"></textarea><button type="submit">Registrar atención</button></form>`;
  return `<form method="post">${hidden}<h2>Documentar resolución</h2><p>Describa el diagnóstico, la solución aplicada y las partes sustituidas.</p><label for="documentation">Documentación (obligatoria)</label><textarea id="documentation" name="documentation" required minlength="3" maxlength="5000"></textarea><button type="submit">Documentar resolución</button></form>`;
}

/**
 * The page a provider's link opens: the order's facts and the form for what the provider may
 * do now. Showing it changes nothing (mail scanners open links before people do).
 */
export function actionPage(
  folio: string,
  lines: readonly BriefLine[],
  actions: readonly PageAction[],
  formToken: string,
  statusLabel: string,
): string {
  const forms = actions.length
    ? actions.map((a) => actionForm(a, formToken)).join('')
    : `<p>La orden está «${escape(statusLabel)}»; por ahora no requiere ninguna acción de su empresa.</p>`;
  return layout(`Orden ${folio}`, `<h1>Orden de servicio ${escape(folio)}</h1>${briefList(lines)}${forms}`);
}

/** A page with one message: the outcome of an action, or why the link cannot be used. */
export function messagePage(title: string, message: string, tone: 'good' | 'bad' | 'note'): string {
  return layout(title, `<h1 class="${tone}">${escape(title)}</h1><p>${escape(message)}</p>`);
}
