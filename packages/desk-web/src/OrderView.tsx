import { useEffect, useState } from 'react';
import {
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Text,
  Textarea,
  Title3,
} from '@fluentui/react-components';
import { api, ApiError } from './api';
import { formatDate, formatRemaining, safeText } from './text';

interface ActionDef {
  verb: string;
  label: string;
  requires: Array<{ field: string; label: string }>;
  /** Inputs that may be left blank (the facts a correction changes). */
  offers?: Array<{ field: string; label: string }>;
}

interface Detail {
  id: string;
  folio: string;
  version: number;
  statusLabel: string;
  priorityLabel: string;
  centreName: string;
  requester: string;
  engineer?: string;
  provider?: string;
  description: string;
  createdAt: string;
  equipment: { type: string; typeLabel: string; inventoryNumber?: string; location?: string };
  equipmentTypes?: Array<{ id: string; name: string }>;
  files: Array<{ filename: string; size: number; stored: boolean }>;
  timeline: Array<{
    at: string;
    label: string;
    by: string;
    note?: string;
    to?: string;
    changes?: Array<{ field: string; from?: string; to?: string }>;
  }>;
  clocks: Array<{ name: string; label: string; stateLabel: string; remainingMs: number; dueAt?: string }>;
  actions: ActionDef[];
  engineers: Array<{ id: string; name: string }>;
  contracts: Array<{ id: string; name: string }>;
  resolution?: { solution?: string; documentation?: string; by: string };
}

const CHANGE_LABELS: Record<string, string> = {
  equipmentType: 'Tipo de equipo',
  inventoryNumber: 'Número de inventario',
  location: 'Ubicación',
  centreId: 'Centro',
  description: 'Adición a la descripción',
  contractId: 'Contrato',
  priority: 'Prioridad',
};

/** One order: facts, SLA clocks, timeline, files, and the actions this person may take now. */
export function OrderView({ folio, tick, onBack }: { folio: string; tick: number; onBack: () => void }) {
  const [order, setOrder] = useState<Detail | undefined>();
  const [notice, setNotice] = useState<{ intent: 'success' | 'error' | 'warning'; text: string }>();
  useEffect(() => {
    api<Detail>(`/orders/${encodeURIComponent(folio)}`).then(setOrder, (e: Error) =>
      setNotice({ intent: 'error', text: e.message }),
    );
  }, [folio, tick]);

  const act = async (action: ActionDef, values: Record<string, string>): Promise<boolean> => {
    if (!order) return false;
    try {
      const r = await api<{ order: Detail }>(`/orders/${encodeURIComponent(folio)}/actions`, {
        method: 'POST',
        body: { verb: action.verb, version: order.version, ...values },
      });
      setOrder(r.order);
      setNotice({ intent: 'success', text: `Hecho: ${action.label}.` });
      return true;
    } catch (e) {
      const body =
        e instanceof ApiError
          ? (e.body as { order?: Detail; changedSince?: Array<{ label: string; by: string }> })
          : {};
      if (body.order) setOrder(body.order);
      const since = body.changedSince?.map((c) => `${c.label} (${c.by})`).join('; ');
      setNotice({
        intent: body.order ? 'warning' : 'error',
        text: `${(e as Error).message}${since ? ` Cambios: ${since}.` : ''}`,
      });
      return false;
    }
  };

  if (!order) return notice ? <p role="alert">{notice.text}</p> : <Spinner label="Cargando la orden…" />;
  return (
    <article aria-labelledby="order-title" className="order">
      <Button appearance="subtle" onClick={onBack}>
        ← Volver
      </Button>
      <Title3 as="h2" id="order-title">
        {order.folio} · {order.statusLabel}
      </Title3>
      {notice && (
        <MessageBar intent={notice.intent} role="status">
          <MessageBarBody>{notice.text}</MessageBarBody>
        </MessageBar>
      )}
      <dl className="facts">
        <dt>Prioridad</dt>
        <dd>{order.priorityLabel}</dd>
        <dt>Sede</dt>
        <dd>{safeText(order.centreName)}</dd>
        <dt>Solicitante</dt>
        <dd>{safeText(order.requester)}</dd>
        <dt>Equipo</dt>
        <dd>
          {order.equipment.typeLabel} {safeText(order.equipment.inventoryNumber)} {safeText(order.equipment.location)}
        </dd>
        {order.engineer && (
          <>
            <dt>Ingeniero</dt>
            <dd>{safeText(order.engineer)}</dd>
          </>
        )}
        {order.provider && (
          <>
            <dt>Proveedor</dt>
            <dd>{safeText(order.provider)}</dd>
          </>
        )}
        <dt>Reportada</dt>
        <dd>{formatDate(order.createdAt)}</dd>
      </dl>
      <section aria-label="Descripción">
        <Text as="p" className="description-full">
          {safeText(order.description)}
        </Text>
      </section>
      {order.resolution && (
        <section aria-label="Solución">
          <Text as="p">
            <strong>Solución:</strong> {safeText(order.resolution.solution ?? order.resolution.documentation)} (
            {safeText(order.resolution.by)})
          </Text>
        </section>
      )}
      <section aria-labelledby="clocks-title">
        <h3 id="clocks-title">Tiempos de servicio</h3>
        {order.clocks.length === 0 ? (
          <p>Sin relojes de servicio para esta orden.</p>
        ) : (
          <ul>
            {order.clocks.map((c) => (
              <li key={c.name}>
                {c.label}: {c.stateLabel}, {formatRemaining(c.remainingMs)}
                {c.dueAt ? ` (vence ${formatDate(c.dueAt)})` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="actions-title">
        <h3 id="actions-title">Acciones</h3>
        {order.actions.length === 0 && <p>No tiene acciones disponibles en este estado.</p>}
        <div className="actions">
          {order.actions.map((a) => (
            <ActionForm key={a.verb} action={a} order={order} onRun={act} />
          ))}
        </div>
      </section>
      <section aria-labelledby="timeline-title">
        <h3 id="timeline-title">Historial</h3>
        <ol className="timeline">
          {order.timeline.map((h, i) => (
            <li key={i}>
              <Text weight="semibold">{formatDate(h.at)}</Text> · {h.label} · {safeText(h.by)}
              {h.to ? ` → ${h.to}` : ''}
              {h.note ? <Text as="p">{safeText(h.note)}</Text> : null}
              {h.changes?.length ? (
                <ul>
                  {h.changes.map((c, j) => (
                    <li key={j}>
                      {CHANGE_LABELS[c.field] ?? c.field}: {safeText(c.from) || '—'} → {safeText(c.to) || '—'}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      {order.files.length > 0 && (
        <section aria-labelledby="files-title">
          <h3 id="files-title">Archivos</h3>
          <ul>
            {order.files.map((f, i) => (
              <li key={i}>
                {safeText(f.filename)} ({Math.ceil(f.size / 1024)} KB){f.stored ? '' : ' — no se guardó'}
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

function ActionForm({
  action,
  order,
  onRun,
}: {
  action: ActionDef;
  order: Detail;
  onRun: (a: ActionDef, v: Record<string, string>) => Promise<boolean>;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (field: string, value: string) => setValues((v) => ({ ...v, [field]: value }));
  const run = async () => {
    setBusy(true);
    // Blank optional inputs are facts left as they are.
    const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
    if (await onRun(action, given)) setValues({});
    setBusy(false);
  };
  return (
    <Card className="action" aria-label={action.label}>
      {action.offers && <p className="hint">Llene solo los datos que corrige; los demás quedan como están.</p>}
      {action.offers?.map((o) => {
        const id = `${action.verb}-${o.field}`;
        if (o.field === 'equipmentType')
          return (
            <Field key={o.field} label={o.label}>
              <Select id={id} value={values[o.field] ?? ''} onChange={(_, d) => set(o.field, d.value)}>
                <option value="">Sin cambio ({order.equipment.typeLabel})</option>
                {(order.equipmentTypes ?? [])
                  .filter((t) => t.id !== order.equipment.type)
                  .map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
              </Select>
            </Field>
          );
        const current =
          o.field === 'inventoryNumber'
            ? order.equipment.inventoryNumber
            : o.field === 'location'
              ? order.equipment.location
              : undefined;
        const placeholder = current ? `Actual: ${safeText(current)}` : undefined;
        return (
          <Field key={o.field} label={o.label}>
            {o.field === 'addendum' ? (
              <Textarea id={id} value={values[o.field] ?? ''} onChange={(_, d) => set(o.field, d.value)} />
            ) : (
              <Input
                id={id}
                value={values[o.field] ?? ''}
                placeholder={placeholder}
                maxLength={o.field === 'location' ? 200 : 50}
                onChange={(_, d) => set(o.field, d.value)}
              />
            )}
          </Field>
        );
      })}
      {action.requires.map((r) => {
        const id = `${action.verb}-${r.field}`;
        if (r.field === 'engineerId' || r.field === 'contractId') {
          const options = r.field === 'engineerId' ? order.engineers : order.contracts;
          return (
            <Field key={r.field} label={r.label}>
              <Select id={id} value={values[r.field] ?? ''} onChange={(_, d) => set(r.field, d.value)}>
                <option value="">Elija…</option>
                {options.map((o) => (
                  <option key={o.id} value={o.id}>
                    {safeText(o.name)}
                  </option>
                ))}
              </Select>
            </Field>
          );
        }
        if (r.field === 'priority')
          return (
            <Field key={r.field} label={r.label}>
              <Select id={id} value={values.priority ?? ''} onChange={(_, d) => set('priority', d.value)}>
                <option value="">Elija…</option>
                <option value="critical">Crítica</option>
                <option value="high">Alta</option>
                <option value="medium">Media</option>
                <option value="low">Baja</option>
              </Select>
            </Field>
          );
        return (
          <Field key={r.field} label={r.label}>
            <Textarea id={id} value={values[r.field] ?? ''} onChange={(_, d) => set(r.field, d.value)} />
          </Field>
        );
      })}
      <Button appearance="primary" disabled={busy} onClick={() => void run()}>
        {action.label}
      </Button>
    </Card>
  );
}
