import { guessEquipment, yesOrNo } from '../services/vocabulary';

/** What a requester's answer to a validation request says. */
export type ValidationAnswer = 'yes' | 'no';

/**
 * Reads the first line of a reply's new text: "sí, quedó resuelto", "Si ya funciona",
 * "Confirmo" → yes; "no funciona todavía", "Todavía no", "sigue fallando" → no; anything
 * else → undefined (the reply is a plain comment). The words are the desk's one
 * vocabulary (services/vocabulary.ts), the same the chat reads.
 */
export function validationAnswer(newText: string): ValidationAnswer | undefined {
  return yesOrNo(newText);
}

export { guessEquipment };
