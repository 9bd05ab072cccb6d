import type { Activity } from 'botbuilder';
import type { Chat } from './world';

export type Card = Record<string, unknown>;
export interface ExecuteAction {
  title: string;
  verb: string;
  data: Record<string, unknown>;
  inputs: string[];
}

/** Every Action.Execute of a card, including those inside Action.ShowCard, with the ids of the inputs shown with it. */
export function executeActions(card: Card): ExecuteAction[] {
  const found: ExecuteAction[] = [];
  const walk = (c: Card) => {
    const inputs = ((c.body as Card[] | undefined) ?? [])
      .filter((b) => String(b.type).startsWith('Input.'))
      .map((b) => String(b.id));
    for (const a of (c.actions as Card[] | undefined) ?? []) {
      if (a.type === 'Action.Execute')
        found.push({ title: String(a.title), verb: String(a.verb), data: a.data as Record<string, unknown>, inputs });
      if (a.type === 'Action.ShowCard') walk(a.card as Card);
    }
  };
  walk(card);
  return found;
}

/** All text a person reads on a card (TextBlocks and FactSet values). */
export function cardText(card: Card): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Card;
    if (n.type === 'TextBlock') parts.push(String(n.text));
    if (n.type === 'FactSet') for (const f of n.facts as Card[]) parts.push(`${f.title}: ${f.value}`);
    walk(n.body);
    walk(n.items);
    walk(n.columns);
  };
  walk(card);
  return parts.join('\n');
}

/** Cards attached to the bot's replies. */
export function cardsOf(replies: Partial<Activity>[]): Card[] {
  return replies.flatMap((r) =>
    (r.attachments ?? [])
      .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((a) => a.content as Card),
  );
}

/** Sends an Action.Execute invoke and returns the card the bot answers with (and the HTTP-level status). */
export async function invoke(chat: Chat, value: unknown): Promise<{ status: number; card: Card }> {
  const replies = await chat.say({ type: 'invoke', name: 'adaptiveCard/action', value });
  const response = replies.find((r) => r.type === 'invokeResponse');
  const body = (response?.value as { status: number; body: { statusCode: number; type: string; value: Card } }) ?? {
    status: 0,
    body: { value: {} },
  };
  expect(body.body.type).toBe('application/vnd.microsoft.card.adaptive');
  return { status: body.status, card: body.body.value };
}

export const execute = (data: Record<string, unknown>) => ({
  action: { type: 'Action.Execute', verb: String(data.verb ?? ''), data },
});
