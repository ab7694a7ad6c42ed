// Buttons that send a command and say how it went, in the operator's language.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub, type CommandOutcome } from '../hub';

/** Operators and duty managers act; evaluators and admins only look (the hub enforces it too). */
export function useCanDispatch(): boolean {
  return useHub((s) => s.user?.role === 'operator' || s.user?.role === 'duty_manager');
}

type Outcome = { ok: true } | { ok: false; message: string } | null;

export function useCommand<R>(): [Outcome, boolean, (send: () => Promise<CommandOutcome<R>>) => Promise<R | null>] {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const run = async (send: () => Promise<CommandOutcome<R>>) => {
    setBusy(true);
    setOutcome(null);
    const res = await send();
    setBusy(false);
    if (res.ok) {
      setOutcome({ ok: true });
      return res.result;
    }
    setOutcome({ ok: false, message: `${res.error.code}: ${res.error.message}` });
    return null;
  };
  return [outcome, busy, run];
}

export function OutcomeLine({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  if (!outcome) return null;
  return (
    <p className={outcome.ok ? 'ok' : 'err'} role="status">
      {outcome.ok ? t('panel.sent') : t('panel.failed', { message: outcome.message })}
    </p>
  );
}

export function AckSosButton({ sosId }: { sosId: string }) {
  const { t } = useTranslation();
  const [outcome, busy, run] = useCommand();
  return (
    <>
      <button type="button" className="danger" disabled={busy} onClick={() => run(() => hub.command('sos:acknowledge', { sosId }))}>
        {t('panel.ackSos')}
      </button>
      <OutcomeLine outcome={outcome} />
    </>
  );
}
