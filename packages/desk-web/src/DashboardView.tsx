import { useEffect, useState } from 'react';
import { Button, Field, Select, Spinner } from '@fluentui/react-components';
import { api } from './api';
import { safeText } from './text';

interface Month {
  month: string;
  label: string;
  orders: number;
  stillOpen: number;
  groups: Array<{
    dimension: 'total' | 'centre' | 'provider';
    key: string;
    orders: number;
    clocks: Array<{ clock: string; label: string; met: number; breached: number; complianceRate: number | null }>;
  }>;
}

const pct = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)} %`;

/** Compliance of a group in a month over all its clocks: met ÷ decided. */
function compliance(group: Month['groups'][number] | undefined): number | null {
  if (!group) return null;
  const met = group.clocks.reduce((n, c) => n + c.met, 0);
  const decided = group.clocks.reduce((n, c) => n + c.met + c.breached, 0);
  return decided ? met / decided : null;
}

/**
 * Bars drawn with plain elements, hidden from assistive technology: the table after each
 * chart says the same thing.
 */
function Bars({
  rows,
  max,
  title,
}: {
  rows: Array<{ label: string; value: number; text: string }>;
  max: number;
  title: string;
}) {
  return (
    <figure className="chart" aria-hidden="true">
      <figcaption>{title}</figcaption>
      {rows.map((r) => (
        <div className="bar-row" key={r.label}>
          <span className="bar-label">{r.label}</span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${max ? Math.max(0, (r.value / max) * 100) : 0}%` }} />
          </span>
          <span className="bar-value">{r.text}</span>
        </div>
      ))}
    </figure>
  );
}

/** The coordinator's dashboard: SLA compliance per month, centre and provider, and what is still open; printable. */
export function DashboardView({ tick }: { tick: number }) {
  const [months, setMonths] = useState(6);
  const [data, setData] = useState<Month[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ months: Month[] }>(`/dashboard?months=${months}`).then(
      (r) => {
        setData(r.months);
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  }, [months, tick]);
  if (error) return <p role="alert">{error}</p>;
  if (!data) return <Spinner label="Cargando el tablero…" />;
  const keys = (dimension: 'centre' | 'provider') =>
    [...new Set(data.flatMap((m) => m.groups.filter((g) => g.dimension === dimension).map((g) => g.key)))].sort();
  const totals = data.map((m) => ({ m, rate: compliance(m.groups.find((g) => g.dimension === 'total')) }));
  const maxOpen = Math.max(1, ...data.map((m) => m.stillOpen));
  return (
    <section aria-labelledby="dashboard-title" className="dashboard">
      <h2 id="dashboard-title">Tablero de niveles de servicio</h2>
      <div className="no-print dashboard-tools">
        <Field label="Periodo">
          <Select value={String(months)} onChange={(_, d) => setMonths(Number(d.value))}>
            <option value="3">Últimos 3 meses</option>
            <option value="6">Últimos 6 meses</option>
            <option value="12">Últimos 12 meses</option>
          </Select>
        </Field>
        <Button onClick={() => window.print()}>Imprimir</Button>
      </div>

      <h3>Cumplimiento por mes</h3>
      <Bars
        title="Cumplimiento de los tiempos de servicio por mes"
        max={1}
        rows={totals.map(({ m, rate }) => ({ label: m.label, value: rate ?? 0, text: pct(rate) }))}
      />
      <table className="data">
        <caption>Cumplimiento por mes (tiempos cumplidos entre tiempos decididos)</caption>
        <thead>
          <tr>
            <th scope="col">Mes</th>
            <th scope="col">Órdenes recibidas</th>
            <th scope="col">Cumplimiento</th>
          </tr>
        </thead>
        <tbody>
          {totals.map(({ m, rate }) => (
            <tr key={m.month}>
              <th scope="row">{m.label}</th>
              <td>{m.orders}</td>
              <td>{pct(rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Órdenes aún abiertas, por mes de recepción</h3>
      <Bars
        title="Órdenes recibidas en cada mes que siguen abiertas"
        max={maxOpen}
        rows={data.map((m) => ({ label: m.label, value: m.stillOpen, text: String(m.stillOpen) }))}
      />
      <table className="data">
        <caption>Órdenes recibidas en cada mes que siguen abiertas</caption>
        <thead>
          <tr>
            <th scope="col">Mes</th>
            <th scope="col">Abiertas</th>
          </tr>
        </thead>
        <tbody>
          {data.map((m) => (
            <tr key={m.month}>
              <th scope="row">{m.label}</th>
              <td>{m.stillOpen}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {(['centre', 'provider'] as const).map((dimension) => (
        <GroupTable key={dimension} data={data} dimension={dimension} keys={keys(dimension)} />
      ))}
    </section>
  );
}

function GroupTable({ data, dimension, keys }: { data: Month[]; dimension: 'centre' | 'provider'; keys: string[] }) {
  const title = dimension === 'centre' ? 'Cumplimiento por sede y mes' : 'Cumplimiento por proveedor y mes';
  return (
    <>
      <h3>{title}</h3>
      {keys.length === 0 ? (
        <p>Sin órdenes en el periodo.</p>
      ) : (
        <table className="data">
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{dimension === 'centre' ? 'Sede' : 'Proveedor'}</th>
              {data.map((m) => (
                <th scope="col" key={m.month}>
                  {m.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k}>
                <th scope="row">{safeText(k)}</th>
                {data.map((m) => (
                  <td key={m.month}>
                    {pct(compliance(m.groups.find((g) => g.dimension === dimension && g.key === k)))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
