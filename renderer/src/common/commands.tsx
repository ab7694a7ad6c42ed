// Buttons that send a command and say how it went, in the operator's language: done, failed (worded from the
// error code, never the hub's English detail), or queued with its commandId while the hub is away.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub, type CommandOutcome } from '../hub';
import { errorText } from './errors';

/** Operators and duty managers act; evaluators and admins only look (the hub enforces it too). */
export function useCanDispatch(): boolean {
  return useHub((s) => s.user?.role === 'operator' || s.user?.role === 'duty_manager');
}

export type Outcome = { ok: true } | { ok: false; code: string } | { queued: string } | null;

/** `run(send)` where send receives the options to pass on to `hub.command` (it reports queueing). */
export type Send<R> = (opts: { onQueued: (commandId: string) => void }) => Promise<CommandOutcome<R>>;

export function useCommand<R>(): [Outcome, boolean, (send: Send<R>) => Promise<R | null>] {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const run = async (send: Send<R>) => {
    setBusy(true);
    setOutcome(null);
    const res = await send({ onQueued: (commandId) => setOutcome({ queued: commandId }) });
    setBusy(false);
    if (res.ok) {
      setOutcome({ ok: true });
      return res.result;
    }
    setOutcome({ ok: false, code: res.error.code });
    return null;
  };
  return [outcome, busy, run];
}

export function OutcomeLine({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  if (!outcome) return null;
  if ('queued' in outcome) {
    return (
      <p className="queued" role="status" data-testid="outcome" data-outcome="queued" data-command-id={outcome.queued}>
        {t('panel.queued', { id: outcome.queued.slice(0, 8) })}
        <button type="button" onClick={() => hub.cancelQueued(outcome.queued)}>{t('panel.cancelQueued')}</button>
      </p>
    );
  }
  return (
    <p className={outcome.ok ? 'ok' : 'err'} role="status" data-testid="outcome" data-outcome={outcome.ok ? 'ok' : outcome.code}>
      {outcome.ok ? t('panel.sent') : t('panel.failed', { message: errorText(t, outcome.code) })}
    </p>
  );
}

export function AckSosButton({ sosId }: { sosId: string }) {
  const { t } = useTranslation();
  const [outcome, busy, run] = useCommand();
  return (
    <>
      <button type="button" className="danger" disabled={busy} onClick={() => run((o) => hub.command('sos:acknowledge', { sosId }, o))}>
        {t('panel.ackSos')}
      </button>
      <OutcomeLine outcome={outcome} />
    </>
  );
}
