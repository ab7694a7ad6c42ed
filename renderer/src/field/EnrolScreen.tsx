// The field page before it has a credential: the officer types (or the QR code's URL carries, as
// ?code=) the one-time code an admin showed, and the phone enrols itself; or a device registered by
// hand signs in with its id and secret (a gateway also gives the unit it acts for).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatEnrolCode, normalizeEnrolCode } from '../../../shared/protocol/enrol';
import { enrolByCode, type FieldCredential } from './credential';

type Props = { onCredential: (c: FieldCredential) => void; message: string };

export function EnrolScreen({ onCredential, message }: Props) {
  const { t } = useTranslation();
  const fromUrl = new URLSearchParams(location.search).get('code') ?? '';
  const [code, setCode] = useState(fromUrl);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [secret, setSecret] = useState('');
  const [unitId, setUnitId] = useState('');
  const tried = useRef(false);

  const enrol = async (typed: string) => {
    setBusy(true);
    setProblem('');
    const out = await enrolByCode(typed);
    setBusy(false);
    if (!out.ok) {
      setProblem(t(`fieldEnrol.${out.why}`));
      return;
    }
    // The code is spent: take it out of the address bar, so a reload does not try it again (the rest of the address stays: ?fixEvery=).
    if (fromUrl) {
      const rest = new URLSearchParams(location.search);
      rest.delete('code');
      history.replaceState(null, '', rest.size > 0 ? `${location.pathname}?${rest}` : location.pathname);
    }
    onCredential(out.credential);
  };

  // Opened from the QR code: enrol at once, the officer has nothing to type.
  useEffect(() => {
    if (fromUrl && !tried.current && normalizeEnrolCode(fromUrl)) {
      tried.current = true;
      void enrol(fromUrl);
    }
  }, []);

  const submitCode = (ev: FormEvent) => {
    ev.preventDefault();
    void enrol(code);
  };
  const submitDevice = (ev: FormEvent) => {
    ev.preventDefault();
    onCredential({ deviceId: deviceId.trim(), secret, unitId: unitId.trim() });
  };

  const valid = normalizeEnrolCode(code);
  return (
    <div className="field">
      <h1>{t('field.title')}</h1>
      <form className="field-enrol" onSubmit={submitCode} data-testid="field-enrol">
        <label>{t('fieldEnrol.code')}
          <input value={code} onChange={(e) => setCode(e.target.value)} placeholder="XXXX-XXXX-XXXX" autoCapitalize="characters" autoComplete="one-time-code"
            spellCheck={false} maxLength={20} data-testid="field-enrol-code" />
        </label>
        {valid && <div className="field-hint">{formatEnrolCode(valid)}</div>}
        <button type="submit" disabled={busy || !valid} data-testid="field-enrol-send">{busy ? t('fieldEnrol.busy') : t('fieldEnrol.send')}</button>
        <p className="field-hint">{t('fieldEnrol.hint')}</p>
        {(problem || message) && <p className="msg" role="alert" data-testid="field-enrol-problem">{problem || message}</p>}
      </form>
      <h2>{t('fieldEnrol.registered')}</h2>
      <form className="field" onSubmit={submitDevice}>
        <label>{t('field.deviceId')}<input value={deviceId} onChange={(e) => setDeviceId(e.target.value)} required /></label>
        <label>{t('field.secret')}<input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} required /></label>
        <label>{t('field.unitId')}<input value={unitId} onChange={(e) => setUnitId(e.target.value)} /></label>
        <button type="submit">{t('field.signIn')}</button>
      </form>
    </div>
  );
}
