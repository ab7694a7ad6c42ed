// The chain check, on the hub, shown as it came back: the count and head when it holds, the first bad entry
// when it does not, and the failure itself when the hub could not be asked — never a green tick by default.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditVerifyResult } from '../../../shared/protocol';
import { hub } from '../hub';
import { useClock } from '../common/format';

type Outcome = { at: number } & ({ result: AuditVerifyResult } | { error: string });

export function VerifyChain() {
  const { t } = useTranslation();
  const clock = useClock();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = async () => {
    setBusy(true);
    try {
      setOutcome({ at: Date.now(), result: await hub.request('audit:verify', {}, 120_000) });
    } catch (e) {
      setOutcome({ at: Date.now(), error: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="ev-verify">
      <button type="button" data-testid="verify" onClick={() => void run()} disabled={busy}>{t(busy ? 'evaluator.verify.busy' : 'evaluator.verify.button')}</button>
      {outcome && (
        <div className={`verify-result ${'result' in outcome && outcome.result.ok ? 'ok' : 'err'}`} data-testid="verify-result"
          data-ok={'result' in outcome ? String(outcome.result.ok) : 'error'} title={t('evaluator.verify.note')}>
          <span className="muted">{clock(outcome.at)} · </span>
          {'error' in outcome ? t('evaluator.verify.failed', { reason: outcome.error })
            : outcome.result.ok ? <>{t('evaluator.verify.ok', { count: outcome.result.count, head: outcome.result.headHash.slice(0, 16) + '…' })}
              {outcome.result.legacyCount > 0 && ` ${t('evaluator.verify.legacy', { n: outcome.result.legacyCount })}`}</>
              : t('evaluator.verify.bad', { seq: outcome.result.firstBad?.seq, why: outcome.result.firstBad?.why })}
        </div>
      )}
    </div>
  );
}
