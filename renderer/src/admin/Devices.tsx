// Devices: every field device the hub knows (phones and vehicle terminals for one unit, gateways for any),
// whether it is connected now; enrolling a phone by a one-time code (shown as text and as a QR code of the
// field page's address carrying it), revoking one (its connections are cut at once), and registering one
// with a secret chosen by its installer.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import QRCode from 'qrcode';
import { formatEnrolCode } from '../../../shared/protocol/enrol';
import type { DeviceInfo } from '../../../shared/protocol/accounts';
import { hub, useHub, type CommandReturn } from '../hub';
import { useClock } from '../common/format';
import { useNow } from '../common/useNow';
import { LoadProblem, ResultLine, useAction, useHubList } from './act';
import { unitLabel } from './Cameras';

const readDevices = () => hub.request('devices:list', {});

export function Devices() {
  const { t } = useTranslation();
  const clock = useClock();
  const { data, error, reload } = useHubList(useCallback(readDevices, []));
  return (
    <section className="admin-section" aria-label={t('admin.tabs.devices')}>
      <EnrolPhone onDone={reload} />
      {error && <LoadProblem code={error} reload={reload} />}
      {!data && !error && <p className="muted">{t('admin.loading')}</p>}
      {data && data.devices.length === 0 && <p className="muted">{t('admin.devices.none')}</p>}
      {data && data.devices.length > 0 && (
        <table className="admin-table" data-testid="devices">
          <thead>
            <tr>{(['id', 'kind', 'unit', 'online', 'created'] as const).map((c) => <th key={c}>{t(`admin.devices.cols.${c}`)}</th>)}<th /></tr>
          </thead>
          <tbody>
            {data.devices.map((d) => <DeviceRow key={d.id} device={d} created={clock(d.createdAt, true)} onDone={reload} />)}
          </tbody>
        </table>
      )}
      <RegisterDevice onDone={reload} />
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

function DeviceRow({ device: d, created, onDone }: { device: DeviceInfo; created: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [result, busy, send] = useAction();
  const revoke = async (e: FormEvent) => {
    e.preventDefault();
    if (await send('device:revoke', { deviceId: d.id, reason: reason.trim() }, () => t('admin.devices.revoked'))) {
      setAsking(false);
      onDone();
    }
  };
  return (
    <>
      <tr data-testid={`device-${d.id}`} data-revoked={d.revokedAt !== null} className={d.revokedAt !== null ? 'dim' : undefined}>
        <td>{d.id}{d.label ? <span className="muted"> · {d.label}</span> : null}</td>
        <td>{t(`admin.devices.${d.kind}`)}</td>
        <td>{d.unitId ?? '—'}</td>
        <td className={d.revokedAt !== null ? 'err' : d.online > 0 ? 'ok' : 'muted'}>
          {d.revokedAt !== null ? t('admin.devices.isRevoked') : d.online > 0 ? t('admin.devices.online', { count: d.online }) : t('admin.devices.offline')}
        </td>
        <td>{created}</td>
        <td>
          {/* Gateways (the simulator, a fleet bridge) are the CLI's to manage; the hub refuses revoking one. */}
          {d.kind === 'terminal' && d.revokedAt === null && !asking && (
            <button type="button" className="danger" onClick={() => setAsking(true)}>{t('admin.devices.revoke')}</button>
          )}
        </td>
      </tr>
      {(asking || result) && (
        <tr className="admin-subrow">
          <td colSpan={6}>
            {asking && (
              <form className="admin-inline" onSubmit={revoke}>
                <label>{t('admin.devices.revokeReason')}<input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={2} autoFocus /></label>
                <button type="submit" className="danger" disabled={busy || reason.trim().length < 2}>{t('admin.devices.confirmRevoke')}</button>
                <button type="button" onClick={() => setAsking(false)}>{t('admin.people.cancel')}</button>
              </form>
            )}
            <ResultLine result={result} />
          </td>
        </tr>
      )}
    </>
  );
}

type Enrolment = CommandReturn<'device:enrol'>;

/** What a phone opens to enrol itself: the field page of this hub, carrying the code. */
const enrolLink = (e: Enrolment, code: string) => `${e.hubUrl.replace(/\/+$/, '')}/field?code=${code}`;

function EnrolPhone({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const units = useHub((s) => s.units);
  const [unitId, setUnitId] = useState('');
  const [label, setLabel] = useState('');
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [result, busy, send] = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = await send('device:enrol', { unitId, label: label.trim() }, () => t('admin.devices.codeMade'));
    if (made) {
      setEnrolment(made);
      onDone();
    }
  };
  return (
    <form className="admin-form" onSubmit={submit} aria-label={t('admin.devices.enrol')} data-testid="device-enrol">
      <h3>{t('admin.devices.enrol')}</h3>
      <div className="admin-row">
        <label>{t('admin.devices.unit')}
          <select name="enrol-unit" value={unitId} onChange={(e) => setUnitId(e.target.value)} required>
            <option value="" />
            {[...units.values()].map((u) => <option key={u.id} value={u.id}>{u.id} · {u.name}</option>)}
          </select>
        </label>
        <label className="grow">{t('admin.devices.label')}<input name="enrol-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={100} /></label>
      </div>
      <button type="submit" className="primary" disabled={busy || !unitId}>{t('admin.devices.makeCode')}</button>
      <ResultLine result={result} />
      {enrolment && <EnrolCode enrolment={enrolment} />}
    </form>
  );
}

/** The code, big enough to read off the screen, its QR code and how long it stays good. */
function EnrolCode({ enrolment }: { enrolment: Enrolment }) {
  const { t } = useTranslation();
  const clock = useClock();
  const now = useNow();
  const canvas = useRef<HTMLCanvasElement>(null);
  const code = enrolment.code;
  const unit = useHub((s) => s.units.get(enrolment.unitId));
  useEffect(() => {
    if (code && canvas.current) void QRCode.toCanvas(canvas.current, enrolLink(enrolment, code), { width: 240, margin: 2, errorCorrectionLevel: 'M' });
  }, [enrolment, code]);
  // A retried command is answered without the code (the hub keeps only its hash): say so rather than show nothing.
  if (!code) return <p className="err" role="alert">{t('admin.devices.codeLost')}</p>;
  const expired = now + hub.getState().clockSkewMs >= enrolment.expiresAt;
  return (
    <div className="admin-enrol" data-testid="enrol-code" data-code={code} data-expired={expired}>
      <canvas ref={canvas} className="admin-qr" role="img" aria-label={t('admin.devices.qr')} width={240} height={240} />
      <div>
        <p className="admin-code">{formatEnrolCode(code)}</p>
        <p>{t('admin.devices.forUnit', { unit: unit ? unitLabel(unit) : enrolment.unitId })}</p>
        <p className={expired ? 'err' : 'muted'}>{expired ? t('admin.devices.codeExpired') : t('admin.devices.codeUntil', { at: clock(enrolment.expiresAt) })}</p>
        <p className="muted admin-link">{enrolLink(enrolment, code)}</p>
      </div>
    </div>
  );
}
