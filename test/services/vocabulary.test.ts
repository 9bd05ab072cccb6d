import {
  confirms,
  equipmentIn,
  fold,
  guessEquipment,
  onlyConfirms,
  saysNone,
  yesOrNo,
} from '../../services/vocabulary';

describe('the desk vocabulary', () => {
  it('folds accents, case and spaces', () => {
    expect(fold('  IMPRESIÓN   Sí ñ ')).toBe(' impresion si n ');
  });

  describe('yesOrNo', () => {
    it.each([
      ['sí', 'yes'],
      ['Sí', 'yes'],
      ['si', 'yes'],
      ['SI', 'yes'],
      ['siii', 'yes'],
      ['¡Sí! ya funciona', 'yes'],
      ['claro', 'yes'],
      ['Claro, gracias', 'yes'],
      ['ok', 'yes'],
      ['OK.', 'yes'],
      ['okey', 'yes'],
      ['de acuerdo', 'yes'],
      ['Confirmo, todo bien.', 'yes'],
      ['Así es', 'yes'],
      ['ya quedó', 'yes'],
      ['Quedó resuelta', 'yes'],
      ['no', 'no'],
      ['NO', 'no'],
      ['Nooo', 'no'],
      ['no, sigue fallando', 'no'],
      ['Todavía no', 'no'],
      ['todavia no', 'no'],
      ['Aún no queda', 'no'],
      ['sigue fallando', 'no'],
      ['Sigue igual', 'no'],
      ['claro que no', 'no'],
      ['negativo', 'no'],
    ])('reads %j as %s', (text, expected) => {
      expect(yesOrNo(text)).toBe(expected);
    });

    it.each(['Gracias por el apoyo', 'Sinceramente no sé', 'Noté otra falla', 'Va a venir alguien?', '', '   '])(
      'reads %j as no answer',
      (text) => {
        expect(yesOrNo(text)).toBeUndefined();
      },
    );

    it('reads only the first line', () => {
      expect(yesOrNo('\n\nNo funciona todavía.\nSí revisaron el equipo.')).toBe('no');
    });
  });

  describe('confirmations', () => {
    it.each(['confirmar', 'Confirmo', 'sí', 'ok', 'claro', 'Está bien'])('takes %j as confirming', (text) => {
      expect(confirms(text)).toBe(true);
    });
    it.each(['no', 'corregir ubicación', 'cancelar'])('does not take %j as confirming', (text) => {
      expect(confirms(text)).toBe(false);
    });
    it('takes only a bare confirmation as a repeat of one', () => {
      expect(onlyConfirms('Confirmar.')).toBe(true);
      expect(onlyConfirms('sí')).toBe(true);
      expect(onlyConfirms('sí, y otra impresora de la sala 2 tampoco imprime')).toBe(false);
    });
  });

  it.each(['no sé', 'No se', 'nose', 'Ninguno', 'n/a', 'no tiene', 'Ninguno de estos'])('reads %j as none', (text) => {
    expect(saysNone(text)).toBe(true);
  });

  describe('equipment', () => {
    it.each([
      ['La impresora no imprime', 'printer'],
      ['la IMPRESIÓN sale manchada', 'printer'],
      ['la inpresora no jala', 'printer'],
      ['El micrófono de la sala de audiencias no graba', 'audio_video'],
      ['la cámara no graba', 'audio_video'],
      ['No hay tono en el teléfono', 'telephony'],
      ['el telefno no sirve', 'telephony'],
      ['No hay internet en la sala', 'network'],
      ['sin wi fi', 'network'],
      ['Mi computadora no enciende', 'computer'],
      ['la conputadora está lenta', 'computer'],
      ['no me llega el correo en outlook', 'computer'],
      ['la impresora de mi computadora', 'printer'],
    ])('reads %j as %s, in chat and mail alike', (text, type) => {
      expect(equipmentIn(text)).toBe(type);
      expect(guessEquipment(text)).toBe(type);
    });

    it('leaves the type open in chat and guesses «other» for mail when nothing matches', () => {
      expect(equipmentIn('La puerta no cierra')).toBeUndefined();
      expect(guessEquipment('La puerta no cierra')).toBe('other');
    });
  });
});
