import { cedulaCode, normaliseCode, sameCode, sha256 } from './cedula-code';
import type { CedulaContent } from './cedula-content';
import type { MongoCedulaStore } from './cedula-store';

export type Verdict = 'authentic' | 'tampered' | 'unknown';

export interface Verification {
  verdict: Verdict;
  code: string;
  folio?: string;
  centre?: string;
  issuedAt?: string;
  closedAt?: string;
}

export interface VerifyCedulaDeps {
  store: Pick<MongoCedulaStore, 'byCode' | 'readPdf'>;
  secret: string;
}

/**
 * What a reader learns from a code: `unknown` when no Cédula carries it (or it is not a
 * code at all); `tampered` when the stored content no longer produces the code under the
 * server's secret, its digest no longer matches, or the stored PDF is not the one issued;
 * `authentic` otherwise, with the folio, centre and dates so the reader can compare them
 * with the paper in hand.
 */
export async function verifyCedula(deps: VerifyCedulaDeps, raw: string): Promise<Verification> {
  const code = normaliseCode(raw);
  if (!code) return { verdict: 'unknown', code: raw.slice(0, 40) };
  const record = await deps.store.byCode(code);
  if (!record) return { verdict: 'unknown', code };
  // A chunk of the wrong size or a missing one is a damaged file, not an outage.
  const pdf = await deps.store.readPdf(record.fileId).catch((error: unknown) => {
    if (error instanceof Error && error.name.startsWith('MongoGridFS')) return null;
    throw error;
  });
  const intact =
    sameCode(cedulaCode(deps.secret, record.content), code) &&
    sha256(record.content) === record.contentDigest &&
    pdf !== null &&
    sha256(pdf) === record.pdfDigest;
  if (!intact) return { verdict: 'tampered', code, folio: record.folio };
  const content = JSON.parse(record.content) as CedulaContent;
  return {
    verdict: 'authentic',
    code,
    folio: record.folio,
    centre: content.centre.name,
    issuedAt: content.issuedAt,
    closedAt: content.closure.at,
  };
}
