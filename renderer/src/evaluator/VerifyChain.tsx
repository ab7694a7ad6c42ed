// The chain check, shown as it came back, twice: the hub's walk (`audit:verify`), and this console's own
// re-hash of the stored entries (own-check.ts) — the count and head when it holds, the first bad entry when
// it does not, the failure itself when it could not be asked; never a green tick by default.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditVerifyResult } from '../../../shared/protocol';
import { hub } from '../hub';
import { useClock } from '../common/format';
import { checkChainHere, type OwnCheck } from './own-check';

type Outcome<R> = { at: number } & ({ result: R } | { error: string });
const short = (h: string) => `${h.slice(0, 16)}…`;

export function VerifyChain() {
  const { t } = useTranslation();
  const clock = useClock();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome<AuditVerifyResult> | null>(null);
  const [own, setOwn] = useState<Outcome<OwnCheck> | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const run = async () => {
    setBusy(true);
    setOwn(null);
    try {
      setOutcome({ at: Date.now(), result: await hub.request('audit:verify', {}, 120_000) });
    } catch (e) {
      setOutcome({ at: Date.now(), error: (e as Error).message });
    }
    try {
      setProgress(0);
      setOwn({ at: Date.now(), result: await checkChainHere(setProgress) });
    } catch (e) {
      setOwn({ at: Date.now(), error: (e as Error).message });
    } finally {
      setProgress(null);
      setBusy(false);
    }
  };
  const hubOk = outcome && 'result' in outcome ? outcome.result : null;
  const ownOk = own && 'result' in own ? own.result : null;
  return (
    <div className="ev-verify">
      <button type="button" data-testid="verify" onClick={() => void run()} disabled={busy}>{t(busy ? 'evaluator.verify.busy' : 'evaluator.verify.button')}</button>
      <div className="ev-verify-results">
        {outcome && (
          <div className={`verify-result ${hubOk?.ok ? 'ok' : 'err'}`} data-testid="verify-result" data-ok={hubOk ? String(hubOk.ok) : 'error'} title={t('evaluator.verify.note')}>
            <span className="muted">{t('evaluator.verify.hub')} {clock(outcome.at)} · </span>
            {'error' in outcome ? t('evaluator.verify.failed', { reason: outcome.error })
              : outcome.result.ok ? <>{t('evaluator.verify.ok', { count: outcome.result.count, head: short(outcome.result.headHash) })}
                {outcome.result.legacyCount > 0 && ` ${t('evaluator.verify.legacy', { n: outcome.result.legacyCount })}`}</>
                : t('evaluator.verify.bad', { seq: outcome.result.firstBad?.seq, why: outcome.result.firstBad?.why })}
          </div>
        )}
        {progress !== null && <div className="verify-result muted">{t('evaluator.verify.own')} · {t('evaluator.verify.ownBusy', { count: progress })}</div>}
        {own && (
          <div className={`verify-result ${ownOk?.ok ? 'ok' : 'err'}`} data-testid="verify-own" data-ok={ownOk ? String(ownOk.ok) : 'error'}>
            <span className="muted">{t('evaluator.verify.own')} · </span>
            {'error' in own ? t('evaluator.verify.failed', { reason: own.error })
              : own.result.ok ? <>{t('evaluator.verify.ownOk', { count: own.result.count, head: short(own.result.headHash) })}
                {own.result.legacy > 0 && t('evaluator.verify.ownLegacy', { n: own.result.legacy })}
                {/* heads compare only at the same count: entries appended between the two checks move the head */}
                {hubOk?.ok && hubOk.count === own.result.count && ` · ${t(hubOk.headHash === own.result.headHash ? 'evaluator.verify.agree' : 'evaluator.verify.disagree')}`}</>
                : t('evaluator.verify.bad', { seq: own.result.firstBad?.seq, why: own.result.firstBad?.why })}
          </div>
        )}
      </div>
    </div>
  );
}
