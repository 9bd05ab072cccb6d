import { Attachment, CardFactory } from 'botbuilder';
import * as ACData from 'adaptivecards-templating';
import cedulaTemplate from './cedula.json';
import digestTemplate from './digest.json';
import errorTemplate from './error.json';
import followUpTemplate from './follow-up.json';
import intakeSummaryTemplate from './intake-summary.json';
import orderTemplate from './order.json';

/** Card layouts live in this folder as templates; code only supplies the data. */
export const TEMPLATES = {
  order: orderTemplate,
  error: errorTemplate,
  intakeSummary: intakeSummaryTemplate,
  cedula: cedulaTemplate,
  digest: digestTemplate,
  followUp: followUpTemplate,
} as const;
export type TemplateName = keyof typeof TEMPLATES;

/**
 * Parsing `${…}` expressions dominates the cost of expanding a card. The strings parsed are those of the templates in this folder, a small fixed
 * set, so each parse is kept; the cap only guards against an unexpected source of strings.
 */
const PARSE_CACHE_LIMIT = 2000;
const parsedExpressions = new Map<string, ReturnType<typeof ACData.Template.parseInterpolatedString>>();
const parseOnce = ACData.Template.parseInterpolatedString.bind(ACData.Template);
ACData.Template.parseInterpolatedString = (text: string) => {
  const known = parsedExpressions.get(text);
  if (known !== undefined) return known;
  const parsed = parseOnce(text);
  if (parsedExpressions.size < PARSE_CACHE_LIMIT) parsedExpressions.set(text, parsed);
  return parsed;
};

// A field missing from the data renders as empty, never as the raw `${expression}`.
ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString = () => '—';

/** Expands a template with data; the result is a plain Adaptive Card object. */
export function expandCard(name: TemplateName, data: object): Record<string, unknown> {
  return new ACData.Template(TEMPLATES[name]).expand({ $root: data }) as Record<string, unknown>;
}

/** Expands a template into a message attachment. */
export function cardAttachment(name: TemplateName, data: object): Attachment {
  return CardFactory.adaptiveCard(expandCard(name, data));
}
