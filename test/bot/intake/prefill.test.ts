import { looksLikeReport, prefillFrom } from '../../../bot/intake/prefill';

describe('prefillFrom', () => {
  it.each([
    [
      'la impresora de la sala 3 no imprime',
      { equipmentType: 'printer', location: 'sala 3', description: 'la impresora de la sala 3 no imprime' },
    ],
    [
      'No enciende la computadora de la Oficina 12, inventario 4501-22, ext. 2345',
      { equipmentType: 'computer', location: 'Oficina 12', inventoryNumber: '4501-22', extension: '2345' },
    ],
    ['el internet está muy lento en el área de amparo', { equipmentType: 'network', location: 'área de amparo' }],
    [
      'la cámara de la Sala de Audiencias 2 no graba',
      { equipmentType: 'audio_video', location: 'Sala de Audiencias 2' },
    ],
    ['el teléfono no da tono', { equipmentType: 'telephony' }],
  ])('reads the fields %j already gives', (text, expected) => {
    expect(prefillFrom(text)).toMatchObject(expected);
  });

  it('gives nothing for a greeting', () => {
    expect(prefillFrom('hola')).toEqual({});
    expect(looksLikeReport('buenos días')).toBe(false);
  });

  it('takes the whole text as description only when it reads like a failure', () => {
    expect(prefillFrom('impresora').description).toBeUndefined();
    expect(prefillFrom('mi equipo tiene una falla').description).toBe('mi equipo tiene una falla');
  });
});
