import { useEffect, useState } from 'react';
import { Field, Input, Spinner, Tab, TabList } from '@fluentui/react-components';
import { api } from './api';
import { OrderRow, OrderTable } from './OrderTable';

type QueueName = 'new' | 'mine' | 'closure' | 'risk';
const LABELS: Record<QueueName, string> = {
  new: 'Nuevas',
  mine: 'Tomadas por mí',
  closure: 'Por cerrar',
  risk: 'En riesgo o vencidas',
};

interface QueuePage {
  items: OrderRow[];
  total: number;
  counts: Record<QueueName, number>;
}

/** The analysts' queue: four views with their counts, narrowed by centre, engineer or provider. */
export function QueueView({ tick, onOpen }: { tick: number; onOpen: (folio: string) => void }) {
  const [queue, setQueue] = useState<QueueName>('new');
  const [filters, setFilters] = useState({ centre: '', engineer: '', provider: '' });
  const [page, setPage] = useState<QueuePage | undefined>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const params = new URLSearchParams({ view: queue });
    for (const [k, v] of Object.entries(filters)) if (v.trim()) params.set(k, v.trim());
    api<QueuePage>(`/queue?${params.toString()}`).then(setPage, (e: Error) => setError(e.message));
  }, [queue, filters, tick]);
  return (
    <section aria-label="Cola de la Mesa">
      <TabList selectedValue={queue} onTabSelect={(_, d) => setQueue(d.value as QueueName)}>
        {(Object.keys(LABELS) as QueueName[]).map((q) => (
          <Tab key={q} value={q}>
            {LABELS[q]} ({page?.counts[q] ?? '…'})
          </Tab>
        ))}
      </TabList>
      <div className="filters">
        {(['centre', 'engineer', 'provider'] as const).map((f) => (
          <Field key={f} label={{ centre: 'Sede', engineer: 'Ingeniero (id)', provider: 'Proveedor (id)' }[f]}>
            <Input value={filters[f]} onChange={(_, d) => setFilters((x) => ({ ...x, [f]: d.value }))} />
          </Field>
        ))}
      </div>
      {error && <p role="alert">{error}</p>}
      {page ? (
        <OrderTable rows={page.items} onOpen={onOpen} caption={LABELS[queue]} />
      ) : (
        <Spinner label="Cargando la cola…" />
      )}
    </section>
  );
}
