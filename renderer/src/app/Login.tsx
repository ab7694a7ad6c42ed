// Sign-in: hub address (this page's origin by default), username, password. Problems are said plainly:
// a hub that cannot be reached is not a wrong password.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub, type ConnectionProblem } from '../hub';
import { errorText } from '../common/errors';
import { LangSwitch } from '../common/LangSwitch';

const LAST_URL = 'xiuhua.hubUrl';

/** What a hub says about itself before login (GET /hub.json); null when the address answers nothing useful. */
type HubAbout = { product: string; protocol: number; demo: boolean; demoUsers: string[] };

function useHubAbout(url: string): HubAbout | null {
  const [about, setAbout] = useState<HubAbout | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    // Wait for typing to settle; ask once per address.
    const t = setTimeout(() => {
      fetch(`${url.replace(/\/+$/, '')}/hub.json`, { signal: ctrl.signal })
        .then((r) => (r.ok ? (r.json() as Promise<HubAbout>) : null))
        .then((a) => setAbout(a?.product === 'xiuhua' ? a : null), () => setAbout(null));
    }, 300);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [url]);
  return about;
}

function defaultUrl(): string {
  const saved = localStorage.getItem(LAST_URL);
  if (saved) return saved;
  return location.protocol.startsWith('http') ? location.origin : 'http://127.0.0.1:7400';
}

export function Login() {
  const { t } = useTranslation();
  const conn = useHub((s) => s.connection);
  const [url, setUrl] = useState(defaultUrl);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ConnectionProblem | null>(conn.problem);
  const about = useHubAbout(url);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await hub.login(url, username.trim(), password);
      localStorage.setItem(LAST_URL, url);
    } catch (err) {
      setProblem(err as ConnectionProblem);
    } finally {
      setBusy(false);
    }
  };

  const shown = problem ?? conn.problem;
  return (
    <div className="login">
      <form className="login-card" onSubmit={submit} aria-label={t('login.title')}>
        <div className="login-head">
          <h1>{t('app.title')}</h1>
          <LangSwitch />
        </div>
        <h2>{t('login.title')}</h2>
        <label>
          {t('login.hubUrl')}
          <input name="hub" value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="url" required />
        </label>
        <label>
          {t('login.username')}
          <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required autoFocus />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        </label>
        {shown && (
          <p className="login-error" role="alert" data-problem={shown.kind}>
            {/* Worded from the refusal's code; the hub's or the browser's English detail goes to the tooltip only. */}
            <span title={shown.detail}>{shown.kind === 'session_ended'
              ? t(`login.ended.${shown.detail}`, { defaultValue: t('login.session_expired') })
              : t(`login.${shown.kind}`, { url, reason: errorText(t, /^([a-z_]+):/.exec(shown.detail)?.[1] ?? 'unknown') })}</span>
          </p>
        )}
        <button type="submit" disabled={busy || conn.status === 'connecting'}>
          {busy || conn.status === 'connecting' ? t('login.busy') : t('login.submit')}
        </button>
        {about?.demo && (
          <div className="demo-users" data-testid="demo-users">
            <span>{t('login.demoUsers')}</span>
            {about.demoUsers.map((u) => (
              <button type="button" key={u} className="chip" onClick={() => { setUsername(u); setPassword('demo'); }}>
                {u}
              </button>
            ))}
          </div>
        )}
      </form>
    </div>
  );
}
