// Devices: every field device the hub knows (phones and vehicle terminals for one unit, gateways for any),
// whether it is connected now, and registering one with a secret chosen by its installer.
import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { useClock } from '../common/format';
import { LoadProblem, ResultLine, useAction, useHubList } from './act';

const readDevices = () => hub.request('devices:list', {});

export function Devices() {
  const { t } = useTranslation();
  const clock = useClock();
  const { data, error, reload } = useHubList(useCallback(readDevices, []));
  return (
    <section className="admin-section" aria-label={t('admin.tabs.devices')}>
      <RegisterDevice onDone={reload} />
      {error && <LoadProblem code={error} reload={reload} />}
      {!data && !error && <p className="muted">{t('admin.loading')}</p>}
      {data && data.devices.length === 0 && <p className="muted">{t('admin.devices.none')}</p>}
      {data && data.devices.length > 0 && (
        <table className="admin-table" data-testid="devices">
          <thead>
            <tr>{(['id', 'kind', 'unit', 'online', 'created'] as const).map((c) => <th key={c}>{t(`admin.devices.cols.${c}`)}</th>)}</tr>
          </thead>
          <tbody>
            {data.devices.map((d) => (
              <tr key={d.id} data-testid={`device-${d.id}`}>
                <td>{d.id}</td>
                <td>{t(`admin.devices.${d.kind}`)}</td>
                <td>{d.unitId ?? '—'}</td>
                <td className={d.online > 0 ? 'ok' : 'muted'}>{d.online > 0 ? t('admin.devices.online', { count: d.online }) : t('admin.devices.offline')}</td>
                <td>{clock(d.createdAt, true)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RegisterDevice({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const units = useHub((s) => s.units);
  const [id, setId] = useState('');
  const [kind, setKind] = useState<'terminal' | 'gateway'>('terminal');
  const [unitId, setUnitId] = useState('');
  const [secret, setSecret] = useState('');
  const [result, busy, send] = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await send('device:register', { deviceId: id, kind, unitId: kind === 'terminal' ? unitId : null, secret }, (r) => t('admin.devices.registered', { id: r.device.id }));
    if (done) {
      setId('');
      setSecret('');
      onDone();
    }
  };
  return (
    <form className="admin-form" onSubmit={submit} aria-label={t('admin.devices.register')}>
      <h3>{t('admin.devices.register')}</h3>
      <label>{t('admin.devices.id')}<input name="device-id" value={id} onChange={(e) => setId(e.target.value.trim())} required pattern="[A-Za-z0-9_.:\-]{1,64}" /></label>
      <label>{t('admin.devices.kind')}
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as 'terminal' | 'gateway')}>
          <option value="terminal">{t('admin.devices.terminal')}</option>
          <option value="gateway">{t('admin.devices.gateway')}</option>
        </select>
      </label>
      {kind === 'terminal' && (
        <label>{t('admin.devices.unit')}
          <select name="unit" value={unitId} onChange={(e) => setUnitId(e.target.value)} required>
            <option value="" />
            {[...units.values()].map((u) => <option key={u.id} value={u.id}>{u.id} · {u.name}</option>)}
          </select>
        </label>
      )}
      <label>{t('admin.devices.secret')}<input name="secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" required minLength={12} /></label>
      <button type="submit" className="primary" disabled={busy || !id || secret.length < 12 || (kind === 'terminal' && !unitId)}>{t('admin.devices.submit')}</button>
      <ResultLine result={result} />
    </form>
  );
}
