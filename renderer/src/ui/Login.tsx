// Sign-in: hub address (this page's origin by default), username, password. Problems are said plainly:
// a hub that cannot be reached is not a wrong password.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub, type ConnectionProblem } from '../hub';
import { LangSwitch } from './LangSwitch';

const DEMO_USERS = ['operator', 'manager', 'evaluator', 'admin'];
const LAST_URL = 'xiuhua.hubUrl';
const LAST_DEMO = 'xiuhua.demoHub';

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
  const demoHub = localStorage.getItem(LAST_DEMO) === url;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await hub.login(url, username.trim(), password);
      localStorage.setItem(LAST_URL, url);
      if (hub.getState().demo) localStorage.setItem(LAST_DEMO, url);
      else localStorage.removeItem(LAST_DEMO);
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
            {t(`login.${shown.kind}`, { url, detail: shown.detail })}
          </p>
        )}
        <button type="submit" disabled={busy || conn.status === 'connecting'}>
          {busy || conn.status === 'connecting' ? t('login.busy') : t('login.submit')}
        </button>
        {demoHub && (
          <div className="demo-users">
            <span>{t('login.demoUsers')}</span>
            {DEMO_USERS.map((u) => (
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
