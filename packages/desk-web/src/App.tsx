import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  Link,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  Text,
  Title2,
} from '@fluentui/react-components';
import { api, ApiError, followChanges, Me, setCsrf, startTeams } from './api';
import { LocalSignIn } from './LocalSignIn';
import { QueueView } from './QueueView';
import { OrderView } from './OrderView';
import { ListView } from './ListView';
import { SearchView } from './SearchView';
import { IntakeView } from './IntakeView';
import { DashboardView } from './DashboardView';
import { safeText, setTimeZone } from './text';

type View = 'queue' | 'search' | 'intake' | 'dashboard' | 'assigned' | 'signatures';

const VIEWS: Array<{ view: View; label: string; roles: string[] }> = [
  { view: 'queue', label: 'Cola de la Mesa', roles: ['analyst', 'admin'] },
  { view: 'search', label: 'Buscar', roles: ['analyst', 'admin'] },
  { view: 'intake', label: 'Correo apartado', roles: ['analyst', 'admin'] },
  { view: 'dashboard', label: 'Tablero', roles: ['analyst', 'admin'] },
  { view: 'assigned', label: 'Mis asignadas', roles: ['engineer'] },
  { view: 'signatures', label: 'Por firmar', roles: ['judge'] },
];

type State =
  | { kind: 'loading' }
  | { kind: 'signed-out'; local: boolean; oidc: boolean; message?: string }
  | { kind: 'signed-in'; me: Me };

/** The page: who is signed in, the views their roles open, and the order being looked at. */
export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [view, setView] = useState<View>('queue');
  const [folio, setFolio] = useState<string | undefined>();
  const [tick, setTick] = useState(0);

  const load = useCallback(async () => {
    try {
      const me = await api<Me>('/me');
      setCsrf(me.csrf);
      setTimeZone(me.timeZone);
      setState({ kind: 'signed-in', me });
      setView(
        (v) =>
          VIEWS.find((x) => x.view === v && x.roles.some((r) => me.person.roles.includes(r)))?.view ??
          VIEWS.find((x) => x.roles.some((r) => me.person.roles.includes(r)))?.view ??
          'queue',
      );
    } catch (error) {
      const options = await api<{ local: boolean; oidc: boolean }>('/sign-in').catch(() => ({
        local: false,
        oidc: false,
      }));
      setState({
        kind: 'signed-out',
        local: options.local,
        oidc: options.oidc,
        message: error instanceof ApiError && error.status !== 401 ? error.message : undefined,
      });
    }
  }, []);

  useEffect(() => {
    void startTeams().then(load);
  }, [load]);

  const signedIn = state.kind === 'signed-in';
  useEffect(() => {
    if (!signedIn) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return followChanges(() => {
      clearTimeout(timer);
      timer = setTimeout(() => setTick((t) => t + 1), 150);
    });
  }, [signedIn]);

  if (state.kind === 'loading') return <Spinner label="Cargando la Mesa…" />;
  if (state.kind === 'signed-out')
    return (
      <main className="page">
        <Title2 as="h1">Mesa de Servicio</Title2>
        {state.message && (
          <MessageBar intent="error">
            <MessageBarBody>{state.message}</MessageBarBody>
          </MessageBar>
        )}
        {state.local ? (
          <LocalSignIn onSignedIn={load} />
        ) : state.oidc ? (
          <p>
            <Link href="/desk/auth/sign-in">Iniciar sesión con su cuenta institucional</Link>
          </p>
        ) : (
          <MessageBar intent="warning">
            <MessageBarBody>
              Su sesión no es válida o venció. Abra la Mesa desde Teams o inicie sesión de nuevo.
            </MessageBarBody>
          </MessageBar>
        )}
      </main>
    );

  const { me } = state;
  const views = VIEWS.filter((v) => v.roles.some((r) => me.person.roles.includes(r)));
  const signOut = async () => {
    await api('/sign-out', { method: 'POST', body: {} });
    setFolio(undefined);
    await load();
  };
  return (
    <main className="page">
      {me.signIn === 'local' && (
        <MessageBar intent="warning" role="status">
          <MessageBarBody>Inicio de sesión local (solo para pruebas en este equipo).</MessageBarBody>
        </MessageBar>
      )}
      <header className="bar">
        <Title2 as="h1">Mesa</Title2>
        <Text>{safeText(me.person.name)}</Text>
        {me.signIn !== 'teams' && (
          <Button appearance="subtle" onClick={() => void signOut()}>
            Cerrar sesión
          </Button>
        )}
      </header>
      <nav aria-label="Vistas" className="no-print">
        <TabList
          selectedValue={view}
          onTabSelect={(_, d) => {
            setView(d.value as View);
            setFolio(undefined);
          }}
        >
          {views.map((v) => (
            <Tab key={v.view} value={v.view}>
              {v.label}
            </Tab>
          ))}
        </TabList>
      </nav>
      {folio && <OrderView folio={folio} tick={tick} onBack={() => setFolio(undefined)} />}
      {/* Kept mounted under an open order, so going back finds the search or queue as it was left. */}
      <div hidden={Boolean(folio)}>
        {view === 'queue' ? (
          <QueueView tick={tick} onOpen={setFolio} />
        ) : view === 'search' ? (
          <SearchView tick={tick} onOpen={setFolio} />
        ) : view === 'intake' ? (
          <IntakeView tick={tick} />
        ) : view === 'dashboard' ? (
          <DashboardView tick={tick} />
        ) : (
          <ListView path={view === 'assigned' ? '/assigned' : '/signatures'} tick={tick} onOpen={setFolio} />
        )}
      </div>
    </main>
  );
}
