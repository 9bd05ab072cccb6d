import type { Request, Response, Server } from 'restify';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { checkBearer } from '../http/auth';
import { sendError } from '../http/respond';
import { normaliseCode } from './cedula-code';
import type { Verification } from './verify-cedula';

export interface CedulaReads {
  verify(code: string): Promise<Verification>;
  /** The issued PDF of the order with this folio; NOT_FOUND when there is none (yet). */
  pdfByFolio(folio: string): Promise<{ folio: string; pdf: Buffer }>;
  /** The issued PDF carrying this verification code; NOT_FOUND for any other code. */
  pdfByCode(code: string): Promise<{ folio: string; pdf: Buffer }>;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const VERDICT_TEXT: Record<Verification['verdict'], { title: string; body: string; colour: string }> = {
  authentic: {
    title: 'Cédula auténtica y sin alteraciones',
    body: 'Este código corresponde a una cédula de nivel de servicio emitida por la Mesa de Servicio, y su contenido no ha cambiado desde su emisión.',
    colour: '#1e6f3e',
  },
  tampered: {
    title: 'Cédula alterada',
    body: 'El código existe, pero el contenido registrado ya no coincide con el emitido. No confíe en este documento y repórtelo a la Mesa de Servicio.',
    colour: '#a61b1b',
  },
  unknown: {
    title: 'Código desconocido',
    body: 'Ninguna cédula emitida por la Mesa de Servicio tiene este código. Revise que lo haya escrito correctamente.',
    colour: '#8a5a00',
  },
};

/** The public verification page, in Spanish; no order data beyond what the paper shows. */
export function verificationHtml(v: Verification): string {
  const t = VERDICT_TEXT[v.verdict];
  const rows =
    v.verdict === 'authentic'
      ? `<dl><dt>Folio</dt><dd>${escape(v.folio ?? '')}</dd><dt>Centro</dt><dd>${escape(v.centre ?? '')}</dd><dt>Cierre</dt><dd>${escape(v.closedAt ?? '')}</dd><dt>Emitida</dt><dd>${escape(v.issuedAt ?? '')}</dd></dl>`
      : '';
  return `<!doctype html><html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Verificación de cédula</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2933}h1{color:${t.colour}}dt{font-weight:bold}dd{margin:0 0 .5rem}</style></head>
<body><p>Mesa de Servicio · Centros de Justicia Penal Federal</p><h1>${t.title}</h1><p>${t.body}</p><p>Código: <code>${escape(v.code)}</code></p>${rows}</body></html>`;
}

/**
 * `GET /cedula/verify/:code` — public, no token: HTML by default, JSON when the client
 * asks for `application/json`. `GET /cedula/:code.pdf` — the PDF, public: the unguessable
 * code is the permission. `GET /api/orders/:folio/cedula` — the PDF, bearer-guarded.
 */
export function registerCedulaRoutes(
  server: Server,
  deps: { cedula: CedulaReads; apiToken?: string; logger: Logger },
): void {
  server.get('/cedula/verify/:code', async (req: Request, res: Response) => {
    try {
      const v = await deps.cedula.verify(String(req.params.code ?? ''));
      const status = v.verdict === 'unknown' ? 404 : 200;
      if ((req.headers.accept ?? '').includes('application/json')) {
        res.send(status, v);
      } else {
        res.sendRaw(status, verificationHtml(v), { 'Content-Type': 'text/html; charset=utf-8' });
      }
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
  server.get('/cedula/:file', async (req: Request, res: Response) => {
    try {
      const file = String(req.params.file ?? '');
      const code = file.endsWith('.pdf') ? file.slice(0, -4) : '';
      const { folio, pdf } = await deps.cedula.pdfByCode(code);
      res.sendRaw(200, pdf, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="cedula-${folio}.pdf"`,
      });
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
  server.get('/api/orders/:folio/cedula', async (req: Request, res: Response) => {
    try {
      checkBearer(req.headers.authorization, deps.apiToken);
      const { folio, pdf } = await deps.cedula.pdfByFolio(String(req.params.folio ?? ''));
      res.sendRaw(200, pdf, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="cedula-${folio}.pdf"`,
      });
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
}

/** CedulaReads over the store. */
export function cedulaReads(
  store: {
    byFolio(folio: string): Promise<{ folio: string; fileId: import('mongodb').ObjectId } | null>;
    byCode(code: string): Promise<{ folio: string; fileId: import('mongodb').ObjectId } | null>;
    readPdf(id: import('mongodb').ObjectId): Promise<Buffer | null>;
  },
  verify: (code: string) => Promise<Verification>,
): CedulaReads {
  return {
    verify,
    async pdfByFolio(folio) {
      const record = /^OS-\d{4}-\d{6}$/.test(folio) ? await store.byFolio(folio) : null;
      const pdf = record ? await store.readPdf(record.fileId) : null;
      if (!record || !pdf)
        throw new AppError(
          'NOT_FOUND',
          `no cedula for ${folio}`,
          'Esta orden no tiene cédula de nivel de servicio (se emite al cerrarla).',
          { folio },
        );
      return { folio: record.folio, pdf };
    },
    async pdfByCode(raw) {
      const code = normaliseCode(raw);
      const record = code ? await store.byCode(code) : null;
      const pdf = record ? await store.readPdf(record.fileId) : null;
      if (!record || !pdf)
        throw new AppError(
          'NOT_FOUND',
          'no cedula for this code',
          'Ninguna cédula de nivel de servicio tiene este código.',
        );
      return { folio: record.folio, pdf };
    },
  };
}
