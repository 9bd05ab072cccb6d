import { useEffect, useState } from 'react';
import { Button, MessageBar, MessageBarBody, Text, Title3 } from '@fluentui/react-components';
import { api } from './api';
import { safeText } from './text';

interface Person {
  id: string;
  name: string;
  roles: string[];
}

const ROLE_LABELS: Record<string, string> = {
  requester: 'Solicitante',
  analyst: 'Analista',
  engineer: 'Ingeniero',
  provider: 'Proveedor',
  judge: 'Juez',
  admin: 'Administración',
};

/** The local sign-in: the directory's people by name; choosing one signs in as them. */
export function LocalSignIn({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [people, setPeople] = useState<Person[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ people: Person[] }>('/local/people').then(
      (r) => setPeople(r.people),
      (e: Error) => setError(e.message),
    );
  }, []);
  const choose = async (id: string) => {
    try {
      await api('/local/sign-in', { method: 'POST', body: { personId: id } });
      await onSignedIn();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="local-title">
      <MessageBar intent="warning">
        <MessageBarBody>Inicio de sesión local: solo existe en este equipo y sin Entra ID configurado.</MessageBarBody>
      </MessageBar>
      <Title3 as="h2" id="local-title">
        Elija con quién entrar
      </Title3>
      {error && <Text role="alert">{error}</Text>}
      <ul className="people">
        {people.map((p) => (
          <li key={p.id}>
            <Button onClick={() => void choose(p.id)}>{safeText(p.name)}</Button>
            <Text size={200}> {p.roles.map((r) => ROLE_LABELS[r] ?? r).join(', ')}</Text>
          </li>
        ))}
      </ul>
    </section>
  );
}
