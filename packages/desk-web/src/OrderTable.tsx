import { Badge, Link, TableCell, TableRow } from '@fluentui/react-components';
import { ListTable } from './ListTable';
import { formatDate, formatRemaining, safeText } from './text';

const COLUMNS = ['Folio', 'Estado', 'Prioridad', 'Sede', 'Solicitante', 'Descripción', 'Reportada', 'SLA'];

export interface OrderRow {
  id: string;
  folio: string;
  status: string;
  statusLabel: string;
  priority: string;
  priorityLabel: string;
  centreId: string;
  requester: string;
  engineer?: string;
  provider?: string;
  description: string;
  createdAt: string;
  slaRemainingMs?: number;
}

/** A list of orders; the folio opens the order. */
export function OrderTable({
  rows,
  onOpen,
  caption,
}: {
  rows: OrderRow[];
  onOpen: (folio: string) => void;
  caption: string;
}) {
  if (rows.length === 0) return <p>No hay órdenes en esta vista.</p>;
  return (
    <ListTable caption={caption} columns={COLUMNS}>
      {rows.map((r) => (
        <TableRow key={r.id}>
          <TableCell>
            <Link onClick={() => onOpen(r.folio)}>{r.folio}</Link>
          </TableCell>
          <TableCell>{r.statusLabel}</TableCell>
          <TableCell>
            <Badge
              appearance="tint"
              color={r.priority === 'critical' ? 'danger' : r.priority === 'high' ? 'warning' : 'informative'}
            >
              {r.priorityLabel}
            </Badge>
          </TableCell>
          <TableCell>{safeText(r.centreId)}</TableCell>
          <TableCell>{safeText(r.requester)}</TableCell>
          <TableCell className="description">{safeText(r.description)}</TableCell>
          <TableCell>{formatDate(r.createdAt)}</TableCell>
          <TableCell>{formatRemaining(r.slaRemainingMs)}</TableCell>
        </TableRow>
      ))}
    </ListTable>
  );
}
