import { useEffect, useState } from 'react';
import { Spinner } from '@fluentui/react-components';
import { api } from './api';
import { OrderRow, OrderTable } from './OrderTable';

/** An engineer's assigned orders (most urgent first) or a judge's orders waiting for signature. */
export function ListView({ path, tick, onOpen }: { path: string; tick: number; onOpen: (folio: string) => void }) {
  const [rows, setRows] = useState<OrderRow[] | undefined>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ items: OrderRow[] }>(path).then(
      (r) => setRows(r.items),
      (e: Error) => setError(e.message),
    );
  }, [path, tick]);
  if (error) return <p role="alert">{error}</p>;
  if (!rows) return <Spinner label="Cargando…" />;
  return (
    <OrderTable
      rows={rows}
      onOpen={onOpen}
      caption={path === '/assigned' ? 'Órdenes asignadas' : 'Órdenes por firmar'}
    />
  );
}
