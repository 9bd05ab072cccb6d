import { trimReply } from '../../intake/trim-reply';
import { guessEquipment, validationAnswer } from '../../intake/reply-intent';

describe('validationAnswer', () => {
  it.each([
    ['Sí, quedó resuelto', 'yes'],
    ['si quedo resuelto, gracias', 'yes'],
    ['¡Sí! Ya funciona', 'yes'],
    ['SI', 'yes'],
    ['Confirmo, todo bien.', 'yes'],
    ['Ya funciona correctamente', 'yes'],
    ['De acuerdo', 'yes'],
    ['No funciona todavía', 'no'],
    ['no, sigue igual', 'no'],
    ['Todavía no', 'no'],
    ['Aún no queda', 'no'],
    ['Sigue fallando la impresora', 'no'],
    ['NO', 'no'],
  ])('reads "%s" as %s', (text, expected) => {
    expect(validationAnswer(text)).toBe(expected);
  });

  it.each(['Gracias por el apoyo', 'Sinceramente no sé', 'Noté otra falla en la sala 2', '', 'Nos vemos mañana'])(
    'reads "%s" as no answer',
    (text) => {
      expect(validationAnswer(text)).toBeUndefined();
    },
  );

  it('reads only the first line of the new text', () => {
    expect(validationAnswer('\n\nNo funciona todavía.\nSí revisaron el equipo.')).toBe('no');
  });
});

describe('trimReply', () => {
  it.each([
    [
      'Outlook in Spanish',
      'Listo, gracias.\r\n\r\n________________________________\r\nDe: Mesa de Servicio\r\nEnviado: lunes\r\n',
    ],
    [
      'Gmail in Spanish, wrapped',
      'Listo, gracias.\n\nEl lun, 2 mar 2026 a las 10:15, Mesa de Servicio <\nescritorio@cjf.example.mx> escribió:\n> texto',
    ],
    ['Gmail in English', 'Listo, gracias.\n\nOn Mon, Mar 2, 2026 at 10:15 AM Mesa wrote:\n> text'],
    ['an original-message rule', 'Listo, gracias.\n-----Mensaje original-----\nDe: Mesa'],
    ['a signature', 'Listo, gracias.\n-- \nJosé Peña\nExt. 1234'],
    ['a phone footer', 'Listo, gracias.\n\nEnviado desde mi iPhone'],
  ])('keeps only the new text of a reply with %s', (_shape, text) => {
    expect(trimReply(text)).toBe('Listo, gracias.');
  });

  it('keeps a line that merely starts with "El"', () => {
    expect(trimReply('El monitor parpadea.\nDesde ayer.')).toBe('El monitor parpadea.\nDesde ayer.');
  });
});

describe('guessEquipment', () => {
  it.each([
    ['La impresora no imprime', 'printer'],
    ['No hay internet en la sala', 'network'],
    ['El micrófono de la sala de audiencias no graba', 'audio_video'],
    ['No hay tono en el teléfono', 'telephony'],
    ['Mi computadora no enciende', 'computer'],
    ['La puerta no cierra', 'other'],
  ])('guesses "%s" as %s', (text, type) => {
    expect(guessEquipment(text)).toBe(type);
  });
});
