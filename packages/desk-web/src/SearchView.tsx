import { FormEvent, useEffect, useState } from 'react';
import { Button, Field, Input, Spinner } from '@fluentui/react-components';
import { api } from './api';
import { OrderRow, OrderTable } from './OrderTable';

interface SearchPage {
  items: OrderRow[];
  more: boolean;
  page: number;
}

/** Search over every order: folio, words of the description and conversation, requester, inventory number, engineer. */
export function SearchView({ tick, onOpen }: { tick: number; onOpen: (folio: string) => void }) {
  const [text, setText] = useState('');
  const [asked, setAsked] = useState<{ q: string; page: number }>();
  const [result, setResult] = useState<SearchPage>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!asked) return;
    setBusy(true);
    const params = new URLSearchParams({ q: asked.q, page: String(asked.page) });
    api<SearchPage>(`/search?${params.toString()}`)
      .then(
        (r) => {
          setResult(r);
          setError(undefined);
        },
        (e: Error) => {
          setResult(undefined);
          setError(e.message);
        },
      )
      .finally(() => setBusy(false));
  }, [asked, tick]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked({ q: text, page: 1 });
  };
  return (
    <section aria-label="Búsqueda de órdenes">
      <form role="search" className="search" onSubmit={submit}>
        <Field
          label="Buscar órdenes"
          hint="Folio, palabras de la descripción o de la conversación, solicitante, correo, inventario o ingeniero."
        >
          <Input value={text} maxLength={200} onChange={(_, d) => setText(d.value)} />
        </Field>
        <Button type="submit" appearance="primary">
          Buscar
        </Button>
      </form>
      {error && <p role="alert">{error}</p>}
      {busy && !result && <Spinner label="Buscando…" />}
      {result && asked && (
        <>
          <p role="status">
            Página {result.page}: {result.items.length} orden(es){result.more ? '; hay más resultados' : ''}.
          </p>
          <OrderTable rows={result.items} onOpen={onOpen} caption="Resultados de la búsqueda" />
          <div className="pager">
            <Button disabled={asked.page <= 1} onClick={() => setAsked({ ...asked, page: asked.page - 1 })}>
              Anteriores
            </Button>
            <Button disabled={!result.more} onClick={() => setAsked({ ...asked, page: asked.page + 1 })}>
              Siguientes
            </Button>
          </div>
        </>
      )}
    </section>
  );
}
