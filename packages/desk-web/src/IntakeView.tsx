import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  TableCell,
  TableRow,
} from '@fluentui/react-components';
import { api } from './api';
import { ListTable } from './ListTable';
import { formatDate, safeText } from './text';

interface HeldMail {
  key: string;
  folder: 'quarantine' | 'refused';
  outcome: string;
  reason?: string;
  sender?: string;
  subject?: string;
  date: string;
}

interface Intake {
  mail: string;
  counters: { processed?: number; refused?: number; quarantined?: number; lastError?: string } | null;
  held: { items: HeldMail[]; total: number; page: number; pageSize: number };
  actions: boolean;
}

type Folder = 'all' | 'quarantine' | 'refused';
const FOLDERS: Record<Folder, string> = { all: 'Todos', quarantine: 'Retenidos', refused: 'Rechazados' };
const COLUMNS = ['Fecha', 'Estado', 'Remitente', 'Asunto', 'Motivo', 'Acciones'];
const MAIL_STATES: Record<string, string> = {
  connected: 'conectado',
  reconnecting: 'reconectando',
  waiting_lease: 'en espera (otra instancia lee el buzón)',
  disabled: 'sin buzón configurado',
  cannot_file: 'no puede archivar el correo',
};

/** Intake health: the mails the desk set aside, with why, and release or discard of a held one. */
export function IntakeView({ tick }: { tick: number }) {
  const [folder, setFolder] = useState<Folder>('all');
  const [page, setPage] = useState(1);
  const [intake, setIntake] = useState<Intake>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<{ intent: 'success' | 'error'; text: string }>();
  const [again, setAgain] = useState(0);
  const reload = useCallback(() => setAgain((n) => n + 1), []);
  useEffect(() => {
    const params = new URLSearchParams({ page: String(page) });
    if (folder !== 'all') params.set('folder', folder);
    api<Intake>(`/intake?${params.toString()}`).then(
      (r) => {
        setIntake(r);
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  }, [folder, page, tick, again]);

  const run = async (mail: HeldMail, verb: 'release' | 'discard', reason?: string) => {
    try {
      const r = await api<{ outcome?: string; folder?: string }>(
        `/intake/held/${encodeURIComponent(mail.key)}/${verb}`,
        { method: 'POST', body: verb === 'discard' ? { reason } : {} },
      );
      setNotice({
        intent: 'success',
        text:
          verb === 'discard'
            ? `Correo descartado: ${safeText(mail.subject)}.`
            : `Correo liberado: ${r.outcome === 'order_created' ? 'se registró una orden' : 'se procesó de nuevo'}.`,
      });
    } catch (e) {
      setNotice({ intent: 'error', text: (e as Error).message });
    }
    reload();
  };

  return (
    <section aria-labelledby="intake-title">
      <h2 id="intake-title">Correo de la Mesa</h2>
      {intake && (
        <p>
          Buzón: {MAIL_STATES[intake.mail] ?? intake.mail}
          {intake.counters &&
            ` · procesados ${intake.counters.processed ?? 0}, retenidos ${intake.counters.quarantined ?? 0}, rechazados ${intake.counters.refused ?? 0}`}
        </p>
      )}
      {notice && (
        <MessageBar intent={notice.intent} role="status">
          <MessageBarBody>{notice.text}</MessageBarBody>
        </MessageBar>
      )}
      <TabList
        selectedValue={folder}
        onTabSelect={(_, d) => {
          setFolder(d.value as Folder);
          setPage(1);
        }}
      >
        {(Object.keys(FOLDERS) as Folder[]).map((f) => (
          <Tab key={f} value={f}>
            {FOLDERS[f]}
          </Tab>
        ))}
      </TabList>
      {error && <p role="alert">{error}</p>}
      {!intake ? (
        !error && <Spinner label="Cargando el correo…" />
      ) : intake.held.items.length === 0 ? (
        <p>No hay correos en esta vista.</p>
      ) : (
        <ListTable caption="Correos apartados" columns={COLUMNS}>
          {intake.held.items.map((m) => (
            <TableRow key={m.key}>
              <TableCell>{formatDate(m.date)}</TableCell>
              <TableCell>{m.folder === 'quarantine' ? 'Retenido' : 'Rechazado'}</TableCell>
              <TableCell className="plain">{safeText(m.sender)}</TableCell>
              <TableCell className="plain">{safeText(m.subject)}</TableCell>
              <TableCell className="plain">{safeText(m.reason)}</TableCell>
              <TableCell>
                {m.folder === 'quarantine' && intake.actions ? <HeldActions mail={m} onRun={run} /> : '—'}
              </TableCell>
            </TableRow>
          ))}
        </ListTable>
      )}
      {intake && (
        <div className="pager">
          <Button disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            Anteriores
          </Button>
          <Button
            disabled={intake.held.page * intake.held.pageSize >= intake.held.total}
            onClick={() => setPage((p) => p + 1)}
          >
            Siguientes
          </Button>
        </div>
      )}
    </section>
  );
}

function HeldActions({
  mail,
  onRun,
}: {
  mail: HeldMail;
  onRun: (m: HeldMail, verb: 'release' | 'discard', reason?: string) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const go = async (verb: 'release' | 'discard') => {
    setBusy(true);
    await onRun(mail, verb, reason);
    setBusy(false);
  };
  const what = safeText(mail.subject) || 'sin asunto';
  return (
    <div className="held-actions">
      <Button size="small" disabled={busy} onClick={() => void go('release')} aria-label={`Liberar: ${what}`}>
        Liberar
      </Button>
      <Field label="Motivo para descartar" size="small">
        <Input size="small" value={reason} maxLength={2000} onChange={(_, d) => setReason(d.value)} />
      </Field>
      <Button size="small" disabled={busy} onClick={() => void go('discard')} aria-label={`Descartar: ${what}`}>
        Descartar
      </Button>
    </div>
  );
}
