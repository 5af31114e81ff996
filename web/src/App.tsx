import { useEffect, useState } from 'react';
import { api, getToken, type Me, setToken } from './api';
import { Login } from './Login';
import { SCREENS, type Screen, type ScreenId } from './pages/index';
import { Planned } from './pages/Planned';

function screenFromHash(): ScreenId {
  const id = window.location.hash.replace(/^#\/?/, '');
  return SCREENS.some((s) => s.id === id) ? (id as ScreenId) : 'geography';
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(getToken() !== null);
  const [screen, setScreen] = useState<ScreenId>(screenFromHash());

  useEffect(() => {
    const onHash = () => setScreen(screenFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!getToken()) return;
    api<Me>('/api/auth/me')
      .then(setMe)
      .catch(() => setToken(null))
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p className="loading">Loading…</p>;
  if (!me) return <Login onSignedIn={setMe} />;

  const current: Screen = SCREENS.find((s) => s.id === screen) ?? SCREENS[0];
  const signOut = async () => {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    setToken(null);
    setMe(null);
  };
  return (
    <div className="frame">
      <header className="topbar">
        <span className="brand">open111</span>
        <nav aria-label="Screens">
          {SCREENS.map((s) => (
            <a key={s.id} href={`#/${s.id}`} aria-current={s.id === screen ? 'page' : undefined}>
              {s.title}
            </a>
          ))}
        </nav>
        <span className="who">
          {me.displayName} · {me.role.replace('_', ' ')} · {me.organisationCode}
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        {current.Component ? (
          <current.Component me={me} />
        ) : (
          <Planned title={current.title} purpose={current.purpose} />
        )}
      </main>
      <footer>
        Demonstration software: not for clinical use. Contains public sector information licensed under the
        Open Government Licence v3.0; contains OS data © Crown copyright and database right; contains Royal
        Mail data © Royal Mail copyright and database right.
      </footer>
    </div>
  );
}
