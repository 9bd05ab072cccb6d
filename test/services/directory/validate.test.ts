import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDirectory } from '../../../services/directory/validate';
import { readPeopleCsv } from '../../../services/directory/people-csv';
import { AppError } from '../../../services/errors';

const EXAMPLE = join(__dirname, '../../../services/directory/example-directory.json');
const example = () => JSON.parse(readFileSync(EXAMPLE, 'utf8'));

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (AppError.is(error, 'VALIDATION')) return error.details.errors as string[];
    throw error;
  }
  throw new Error('expected the directory to be refused');
}

describe('parseDirectory', () => {
  it('accepts the example directory with its three time zones', () => {
    const d = parseDirectory(example());
    expect(d.centres.map((c) => c.timeZone).sort()).toEqual([
      'America/Cancun',
      'America/Mexico_City',
      'America/Tijuana',
    ]);
    expect(d.people.some((p) => p.roles.includes('analyst'))).toBe(true);
    expect(d.contracts).toHaveLength(2);
  });

  it('lower-cases emails so lookups are case-insensitive', () => {
    const file = example();
    file.people[0].email = 'Ana.Lopez@CJF.Example.MX';
    expect(parseDirectory(file).people[0]!.email).toBe('ana.lopez@cjf.example.mx');
  });

  const bad: [string, (f: any) => void, RegExp][] = [
    [
      'an unknown centre of a person',
      (f) => {
        f.people[3].centreIds[0] = 'CJPF-XXX';
      },
      /^people\[3\]\.centreIds\[0\]: centro "CJPF-XXX" no existe$/,
    ],
    [
      'an unknown centre of a contract',
      (f) => {
        f.contracts[1].centreIds.push('CJPF-ZZZ');
      },
      /^contracts\[1\]\.centreIds\[3\]: centro "CJPF-ZZZ" no existe$/,
    ],
    [
      'an unknown provider of a contract',
      (f) => {
        f.contracts[0].providerId = 'PROV-NONE';
      },
      /^contracts\[0\]\.providerId: proveedor "PROV-NONE" no existe$/,
    ],
    [
      'a provider contact whose provider does not exist',
      (f) => {
        f.people[12].providerId = 'PROV-GONE';
      },
      /^people\[12\]\.providerId: proveedor "PROV-GONE" no existe$/,
    ],
    [
      'a provider contact with no provider',
      (f) => {
        delete f.people[12].providerId;
      },
      /^people\[12\]\.providerId: un contacto de proveedor/,
    ],
    [
      'a duplicate person id',
      (f) => {
        f.people[1].id = f.people[0].id;
      },
      /^people\[1\]\.id: "ana\.lopez" repetido \(ya usado en people\[0\]\)$/,
    ],
    [
      'a duplicate email differing only in case',
      (f) => {
        f.people[1].email = f.people[0].email.toUpperCase();
      },
      /^people\[1\]\.email: .* repetido/,
    ],
    [
      'a duplicate centre id',
      (f) => {
        f.centres[2].id = f.centres[0].id;
      },
      /^centres\[2\]\.id: .* repetido/,
    ],
    [
      'an unknown time zone',
      (f) => {
        f.centres[0].timeZone = 'America/Atlantida';
      },
      /^centres\[0\]\.timeZone: zona horaria IANA desconocida$/,
    ],
    [
      'business hours that end before they start',
      (f) => {
        f.centres[1].businessHours.mon = { start: '18:00', end: '09:00' };
      },
      /^centres\[1\]\.businessHours\.mon: /,
    ],
    [
      'an unknown role',
      (f) => {
        f.people[0].roles = ['superuser'];
      },
      /^people\[0\]\.roles\[0\]: /,
    ],
    [
      'an invalid email',
      (f) => {
        f.people[2].email = 'no-es-correo';
      },
      /^people\[2\]\.email: correo electrónico inválido$/,
    ],
    [
      'an unknown key (typo)',
      (f) => {
        f.people[0].centerIds = [];
      },
      /^people\[0\]: /,
    ],
    [
      'an unknown equipment type in a contract',
      (f) => {
        f.contracts[0].equipmentTypes = ['toaster'];
      },
      /^contracts\[0\]\.equipmentTypes\[0\]: /,
    ],
    [
      'a resolution time shorter than attention',
      (f) => {
        f.contracts[0].resolutionHours.high = 1;
      },
      /^contracts\[0\]\.resolutionHours\.high: /,
    ],
    [
      'an engineer serving no centre',
      (f) => {
        f.people[2].centreIds = [];
      },
      /^people\[2\]\.centreIds: el rol engineer/,
    ],
    [
      'a missing section type',
      (f) => {
        f.people = 'todos';
      },
      /^people: /,
    ],
  ];

  it.each(bad)('refuses the whole directory when it has %s, naming the field', (_kind, spoil, message) => {
    const file = example();
    spoil(file);
    const errors = errorsOf(() => parseDirectory(file));
    expect(errors.some((e) => message.test(e))).toBe(true);
  });

  it('refuses an empty directory, which would lock the desk out', () => {
    expect(errorsOf(() => parseDirectory({}))).toEqual([
      'centres: el directorio debe tener al menos un centro',
      'people: el directorio debe tener al menos un analista',
    ]);
  });

  it('reports every error at once rather than the first', () => {
    const file = example();
    file.people[3].centreIds[0] = 'CJPF-XXX';
    file.contracts[0].providerId = 'PROV-NONE';
    file.centres[0].timeZone = 'Mars/Olympus';
    expect(errorsOf(() => parseDirectory(file))).toHaveLength(3);
  });
});

describe('readPeopleCsv', () => {
  const header = 'id,name,email,roles,centreIds,extension';

  it('reads people with several roles and centres separated by ";" and validates them with the file', () => {
    const csv = `${header}\nluis.pech,Luis Pech Can,Luis.Pech@cjf.example.mx,requester;judge,CJPF-QROO-CUN,7002\n`;
    const d = parseDirectory(example(), readPeopleCsv(csv));
    const luis = d.people.find((p) => p.id === 'luis.pech')!;
    expect(luis).toMatchObject({
      email: 'luis.pech@cjf.example.mx',
      roles: ['requester', 'judge'],
      centreIds: ['CJPF-QROO-CUN'],
      extension: '7002',
    });
  });

  it('names the CSV line of a bad person', () => {
    const csv = `${header}\nluis.pech,Luis Pech Can,luis.pech@cjf.example.mx,requester,CJPF-XXX,\n`;
    const errors = errorsOf(() => parseDirectory(example(), readPeopleCsv(csv, 'personas.csv')));
    expect(errors).toEqual(['personas.csv línea 2.centreIds[0]: centro "CJPF-XXX" no existe']);
  });

  it('refuses a CSV person whose email is already in the JSON file', () => {
    const csv = `${header}\nluis.pech,Luis Pech Can,ana.lopez@cjf.example.mx,requester,CJPF-CDMX,\n`;
    expect(errorsOf(() => parseDirectory(example(), readPeopleCsv(csv)))[0]).toMatch(
      /^people\.csv línea 2\.email: .* repetido/,
    );
  });

  it('refuses a CSV with an unknown or missing column', () => {
    expect(errorsOf(() => readPeopleCsv('id,nombre,email,roles\nx,X,x@cjf.example.mx,requester\n'))).toEqual([
      'people.csv: columna desconocida "nombre"',
      'people.csv: falta la columna "name"',
    ]);
  });

  it('refuses a CSV that does not parse', () => {
    expect(errorsOf(() => readPeopleCsv(`${header}\n"unterminated,a,b,c,d,e\n`))[0]).toMatch(
      /^people\.csv: no se pudo leer el CSV/,
    );
  });
});
