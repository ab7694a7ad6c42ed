// People: everyone with an account, their role and state, their running sessions; add a person, change a
// role, disable or enable, set a new password, end one session or everyone else's. Each is an audited hub
// command; the hub refuses them to anyone but an admin, and signs the person concerned out at once.
import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { passwordProblem, USERNAME } from '../../../shared/accounts';
import { Role } from '../../../shared/domain';
import type { PersonInfo } from '../../../shared/protocol/accounts';
import { hub, useHub } from '../hub';
import { useClock } from '../common/format';
import { LoadProblem, ResultLine, useAction, useHubList } from './act';

const readPeople = () => hub.request('people:list', {});

export function People() {
  const { t } = useTranslation();
  const { data, error, reload } = useHubList(useCallback(readPeople, []));
  const [open, setOpen] = useState<string | null>(null);
  const me = useHub((s) => s.user?.username);
  return (
    <section className="admin-section" aria-label={t('admin.tabs.people')}>
      <CreatePerson onDone={reload} />
      <p className="muted">{t('admin.people.rolesNote')}</p>
      {error && <LoadProblem code={error} reload={reload} />}
      {!data && !error && <p className="muted">{t('admin.loading')}</p>}
      {data && (
        <table className="admin-table" data-testid="people">
          <thead>
            <tr>{(['username', 'role', 'state', 'sessions', 'actions'] as const).map((c) => <th key={c}>{t(`admin.people.cols.${c}`)}</th>)}</tr>
          </thead>
          <tbody>
            {data.people.map((p) => (
              <PersonRow key={p.id} person={p} self={p.username === me} open={open === p.id} onOpen={() => setOpen(open === p.id ? null : p.id)} onDone={reload} />
            ))}
          </tbody>
        </table>
      )}
      <SignOutEveryone onDone={reload} />
    </section>
  );
}

function CreatePerson({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [password, setPassword] = useState('');
  const [result, busy, send] = useAction();
  const nameOk = USERNAME.test(username);
  const problem = password ? passwordProblem(password, username) : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await send('user:create', { username, role, password }, (r) => t('admin.people.created', { name: r.user.username }));
    if (done) {
      setUsername('');
      setPassword('');
      onDone();
    }
  };
  return (
    <form className="admin-form" onSubmit={submit} aria-label={t('admin.people.create')} data-testid="person-create">
      <h3>{t('admin.people.create')}</h3>
      <label>{t('admin.people.username')}
        <input name="username" value={username} onChange={(e) => setUsername(e.target.value.trim())} autoComplete="off" required aria-invalid={!!username && !nameOk} />
        {username && !nameOk && <small className="err">{t('admin.people.usernameHint')}</small>}
      </label>
      <label>{t('admin.people.role')}
        <RoleSelect value={role} onChange={setRole} />
      </label>
      <label>{t('admin.people.password')}
        <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required aria-invalid={!!problem} />
        {problem && <small className="err" data-testid="password-rule">{t(`admin.password.${problem}`)}</small>}
      </label>
      <button type="submit" className="primary" disabled={busy || !nameOk || !password || !!problem}>{t('admin.people.submitCreate')}</button>
      <ResultLine result={result} />
    </form>
  );
}

function RoleSelect({ value, onChange, disabled, label }: { value: Role; onChange: (r: Role) => void; disabled?: boolean; label?: string }) {
  const { t } = useTranslation();
  return (
    <select name="role" value={value} disabled={disabled} aria-label={label} onChange={(e) => onChange(e.target.value as Role)}>
      {Role.options.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
    </select>
  );
}

function PersonRow({ person: p, self, open, onOpen, onDone }: { person: PersonInfo; self: boolean; open: boolean; onOpen: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [result, busy, send] = useAction();
  const [asking, setAsking] = useState<'disable' | 'password' | null>(null);
  const online = p.sessions.reduce((n, s) => n + s.online, 0);
  const act = async <R,>(run: () => Promise<R | null>) => {
    if (await run()) {
      setAsking(null);
      onDone();
    }
  };
  return (
    <>
      <tr data-testid={`person-${p.username}`} data-disabled={p.disabled} className={p.disabled ? 'dim' : undefined}>
        <td>{p.username} {self && <span className="muted">{t('admin.people.you')}</span>}</td>
        <td>
          <RoleSelect value={p.role} disabled={self || busy} label={t('admin.people.setRole')}
            onChange={(role) => act(() => send('user:set-role', { userId: p.id, role }, () => t('admin.people.done')))} />
        </td>
        <td className={p.disabled ? 'err' : 'ok'}>{t(p.disabled ? 'admin.people.disabled' : 'admin.people.enabled')}</td>
        <td><button type="button" className="link" onClick={onOpen} aria-expanded={open}>{t('admin.people.sessionsN', { count: p.sessions.length, online })}</button></td>
        <td className="actions">
          {p.disabled
            ? <button type="button" disabled={busy} onClick={() => act(() => send('user:enable', { userId: p.id }, () => t('admin.people.done')))}>{t('admin.people.enable')}</button>
            : <button type="button" className="danger" disabled={busy || self} onClick={() => setAsking('disable')}>{t('admin.people.disable')}</button>}
          <button type="button" disabled={busy} onClick={() => setAsking('password')}>{t('admin.people.resetPassword')}</button>
        </td>
      </tr>
      {(asking || result) && (
        <tr className="admin-subrow">
          <td colSpan={5}>
            {asking === 'disable' && <AskReason label={t('admin.people.disableReason')} confirm={t('admin.people.confirmDisable')} busy={busy} onCancel={() => setAsking(null)}
              onConfirm={(reason) => act(() => send('user:disable', { userId: p.id, reason }, (r) => `${t('admin.people.done')} · ${t('admin.people.signedOutN', { count: r.endedSessions.length })}`))} />}
            {asking === 'password' && <NewPassword username={p.username} busy={busy} onCancel={() => setAsking(null)}
              onConfirm={(password) => act(() => send('user:reset-password', { userId: p.id, password }, (r) => `${t('admin.people.done')} · ${t('admin.people.signedOutN', { count: r.endedSessions.length })}`))} />}
            <ResultLine result={result} />
          </td>
        </tr>
      )}
      {open && (
        <tr className="admin-subrow">
          <td colSpan={5}><Sessions person={p} onDone={onDone} /></td>
        </tr>
      )}
    </>
  );
}

function AskReason({ label, confirm, busy, onConfirm, onCancel }: { label: string; confirm: string; busy: boolean; onConfirm: (reason: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  return (
    <form className="admin-inline" onSubmit={(e) => { e.preventDefault(); onConfirm(reason.trim()); }}>
      <label>{label}<input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={2} maxLength={500} autoFocus /></label>
      <button type="submit" className="danger" disabled={busy || reason.trim().length < 2}>{confirm}</button>
      <button type="button" onClick={onCancel}>{t('admin.people.cancel')}</button>
    </form>
  );
}

function NewPassword({ username, busy, onConfirm, onCancel }: { username: string; busy: boolean; onConfirm: (password: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const problem = password ? passwordProblem(password, username) : null;
  return (
    <form className="admin-inline" onSubmit={(e) => { e.preventDefault(); onConfirm(password); }}>
      <label>{t('admin.people.newPassword')}
        <input name="new-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required autoFocus />
        {problem && <small className="err">{t(`admin.password.${problem}`)}</small>}
      </label>
      <button type="submit" className="primary" disabled={busy || !password || !!problem}>{t('admin.people.savePassword')}</button>
      <button type="button" onClick={onCancel}>{t('admin.people.cancel')}</button>
    </form>
  );
}

function Sessions({ person: p, onDone }: { person: PersonInfo; onDone: () => void }) {
  const { t } = useTranslation();
  const clock = useClock();
  const [result, busy, send] = useAction();
  return (
    <div className="admin-sessions" aria-label={t('admin.people.sessions', { name: p.username })}>
      {p.sessions.length === 0 && <p className="muted">{t('admin.people.noSessions')}</p>}
      <ul>
        {p.sessions.map((s) => (
          <li key={s.id}>
            <span className={s.online > 0 ? 'ok' : 'muted'}>{t(s.online > 0 ? 'admin.people.online' : 'admin.people.offline')}</span>
            <span>{t('admin.people.started', { at: clock(s.createdAt, true) })}</span>
            <span className="muted">{t('admin.people.expires', { at: clock(s.expiresAt, true) })}</span>
            <button type="button" disabled={busy} onClick={async () => { if (await send('session:revoke', { sessionId: s.id }, () => t('admin.people.done'))) onDone(); }}>
              {t('admin.people.revoke')}
            </button>
          </li>
        ))}
      </ul>
      <ResultLine result={result} />
    </div>
  );
}

function SignOutEveryone({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const [result, busy, send] = useAction();
  return (
    <div className="admin-danger-zone">
      {!asking && <button type="button" className="danger" onClick={() => setAsking(true)}>{t('admin.people.signOutAll')}</button>}
      {asking && <AskReason label={t('admin.people.signOutAllReason')} confirm={t('admin.people.confirmSignOutAll')} busy={busy} onCancel={() => setAsking(false)}
        onConfirm={async (reason) => {
          if (await send('session:revoke-all', { reason }, (r) => t('admin.people.signedOutN', { count: r.endedSessions.length }))) {
            setAsking(false);
            onDone();
          }
        }} />}
      <ResultLine result={result} />
    </div>
  );
}
