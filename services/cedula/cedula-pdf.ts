import PDFDocument from 'pdfkit';
import { CLOCK_STATE_LABELS } from '../sla/clocks';
import type { CedulaContent } from './cedula-content';

/**
 * Draws the Cédula as a PDF (Letter). Only the PDF standard fonts (Helvetica) are used:
 * every reader has them, nothing is embedded, and pdfkit writes them in WinAnsi encoding,
 * which covers á é í ó ú ñ ü ¿ ¡ — all a Spanish document needs. Creation date is the
 * issue date, so the same content always gives the same bytes.
 */
export function renderCedulaPdf(c: CedulaContent, verifyPath: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margins: { top: 50, bottom: 50, left: 54, right: 54 },
    compress: true,
    info: {
      Title: `Cédula de nivel de servicio ${c.folio}`,
      Author: 'Mesa de Servicio CJPF',
      CreationDate: new Date(c.issuedAt),
      ModDate: new Date(c.issuedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new CedulaWriter(doc, c, verifyPath).write();
  doc.end();
  return done;
}

const INK = '#1f2933';
const MUTED = '#52606d';
const RULE = '#9aa5b1';
const ACCENT = '#6b1d2a';
const ALERT = '#a61b1b';
/** The result cell of a breached clock, drawn in red. */
const BREACHED = CLOCK_STATE_LABELS.breached;

class CedulaWriter {
  private readonly left: number;
  private readonly width: number;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly c: CedulaContent,
    private readonly verifyPath: string,
  ) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  }

  write(): void {
    const { c } = this;
    this.header();
    this.section('Datos de la orden');
    this.fields([
      ['Folio', c.folio],
      ['Centro', `${c.centre.name} (${c.centre.state})`],
      ['Solicitante', [c.requester.name, c.requester.email].filter(Boolean).join(' · ')],
      [
        'Equipo',
        [
          c.equipment.type,
          c.equipment.inventoryNumber && `inventario ${c.equipment.inventoryNumber}`,
          c.equipment.location,
        ]
          .filter(Boolean)
          .join(' · '),
      ],
      ['Prioridad', c.priority],
      ['Falla reportada', c.failure],
    ]);
    if (c.provider)
      this.fields([
        ['Proveedor', c.provider.company],
        ['Contrato', `${c.provider.contract}${c.provider.basis ? ` (${c.provider.basis.toLowerCase()})` : ''}`],
      ]);
    this.section('Actividades');
    this.note(`Fechas y horas del centro (zona horaria ${c.timeZone}).`);
    this.table(
      [0.2, 0.3, 0.5],
      ['Fecha y hora', 'Actividad', 'Responsable y nota'],
      c.activities.map((a) => [
        a.at,
        a.activity,
        [a.role ? `${a.actor} (${a.role})` : a.actor, a.note].filter(Boolean).join('\n'),
      ]),
    );
    this.section('Niveles de servicio');
    this.table(
      [0.34, 0.16, 0.14, 0.14, 0.22],
      ['Indicador', 'Meta', 'Real', 'En espera', 'Resultado'],
      c.clocks.map((k) => [`${k.name}\n${k.basis}`, k.target, k.actual, k.waiting, k.result]),
    );
    this.note(`Tiempo en espera del solicitante y del Juez (no se imputa al proveedor): ${c.requesterWait}.`);
    this.section('Validación, firma y cierre');
    const rows: [string, string][] = [];
    if (c.resolution)
      rows.push(['Atención documentada', `${c.resolution.text} — ${c.resolution.by}, ${c.resolution.at}`]);
    rows.push([
      'Validación del solicitante',
      c.validation
        ? `${c.validation.by}, ${c.validation.at} (${c.validation.channel})`
        : 'No requerida (sin intervención del proveedor)',
    ]);
    rows.push([
      'Firma del Juez Administrador',
      c.signature ? `${c.signature.judge}, ${c.signature.at}` : 'No requerida',
    ]);
    if (c.signature) rows.push(['Huella de lo firmado (SHA-256)', c.signature.digest]);
    rows.push(['Cierre', `${c.closure.status} por ${c.closure.by}, ${c.closure.at}`]);
    this.fields(rows);
    this.footer();
  }

  private header(): void {
    const d = this.doc;
    d.fillColor(ACCENT)
      .font('Helvetica-Bold')
      .fontSize(9)
      .text('CONSEJO DE LA JUDICATURA FEDERAL · CENTROS DE JUSTICIA PENAL FEDERAL', this.left, d.y, {
        width: this.width,
      });
    d.moveDown(0.3).fillColor(INK).fontSize(18).text('Cédula de nivel de servicio', { width: this.width });
    d.font('Helvetica')
      .fontSize(10)
      .fillColor(MUTED)
      .text(`Orden de servicio ${this.c.folio} · Proceso 4.2, solicitud de servicios de soporte técnico`, {
        width: this.width,
      });
    d.moveDown(0.4);
    this.rule(ACCENT, 1.2);
  }

  private section(title: string): void {
    const d = this.doc;
    this.ensure(40);
    d.moveDown(0.7)
      .font('Helvetica-Bold')
      .fontSize(11)
      .fillColor(ACCENT)
      .text(title.toUpperCase(), this.left, d.y, { width: this.width });
    d.moveDown(0.2);
  }

  private fields(rows: [string, string][]): void {
    const d = this.doc;
    const labelW = this.width * 0.32;
    for (const [label, value] of rows) {
      d.font('Helvetica').fontSize(9.5);
      const h = Math.max(d.heightOfString(value, { width: this.width - labelW }), 12) + 3;
      this.ensure(h);
      const y = d.y;
      d.font('Helvetica-Bold')
        .fillColor(MUTED)
        .text(label, this.left, y, { width: labelW - 8 });
      d.font('Helvetica')
        .fillColor(INK)
        .text(value, this.left + labelW, y, { width: this.width - labelW });
      d.x = this.left;
      d.y = y + h;
    }
  }

  private table(fractions: number[], head: string[], rows: string[][]): void {
    const d = this.doc;
    const widths = fractions.map((f) => f * this.width);
    const draw = (cells: string[], bold: boolean) => {
      d.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 8.5 : 9);
      const h = Math.max(...cells.map((cell, i) => d.heightOfString(cell, { width: widths[i]! - 6 }))) + 6;
      this.ensure(h);
      const y = d.y;
      let x = this.left;
      cells.forEach((cell, i) => {
        d.fillColor(bold ? MUTED : cell === BREACHED ? ALERT : INK).text(cell, x + 3, y + 3, { width: widths[i]! - 6 });
        x += widths[i]!;
      });
      d.x = this.left;
      d.y = y + h;
      this.rule(RULE, 0.4);
    };
    draw(head, true);
    for (const row of rows) draw(row, false);
  }

  private note(text: string): void {
    this.doc
      .moveDown(0.2)
      .font('Helvetica-Oblique')
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(text, this.left, this.doc.y, { width: this.width });
  }

  private footer(): void {
    const d = this.doc;
    this.ensure(70);
    d.moveDown(1.2);
    this.rule(ACCENT, 1);
    d.moveDown(0.4)
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor(INK)
      .text(`Código de verificación: ${this.verifyCode()}`, this.left, d.y, { width: this.width });
    d.font('Helvetica')
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(
        `Emitida el ${this.issuedLocal()} por el sistema de la Mesa de Servicio. Verifique su autenticidad e integridad en:`,
        { width: this.width },
      )
      .font('Courier')
      .fontSize(9)
      .fillColor(INK)
      .text(this.verifyPath, { width: this.width });
  }

  private verifyCode(): string {
    return this.verifyPath.split('/').pop() ?? '';
  }

  private issuedLocal(): string {
    return new Date(this.c.issuedAt).toLocaleString('es-MX', {
      timeZone: this.c.timeZone,
      dateStyle: 'long',
      timeStyle: 'short',
    });
  }

  private rule(color: string, width: number): void {
    const d = this.doc;
    d.save()
      .moveTo(this.left, d.y)
      .lineTo(this.left + this.width, d.y)
      .lineWidth(width)
      .strokeColor(color)
      .stroke()
      .restore();
    d.y += 2;
  }

  /** Starts a new page when `height` does not fit on this one. */
  private ensure(height: number): void {
    const d = this.doc;
    if (d.y + height > d.page.height - d.page.margins.bottom) {
      d.addPage();
      d.x = this.left;
    }
  }
}
