// The chain check, shown as it came back, twice: the hub's walk (`audit:verify`), and this console's own
// re-hash of the stored entries (own-check.ts) — the count and head when it holds, the first bad entry when
// it does not, the failure itself when it could not be asked; never a green tick by default. Then the hub's
// signed checkpoints (`audit:checkpoints`), each signature checked here with Web Crypto and its head against
// the hash this console computed for that entry — against the key the evaluator entered here (brought from
// outside the hub, remembered by this console per hub) when there is one, else the key the hub serves.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditVerifyResult } from '../../../shared/protocol';
import type { CheckpointsResult } from '../../../shared/protocol/scorecard';
import { hub } from '../hub';
import { useClock } from '../common/format';
import { checkChainHere, type BadEntry, type OwnCheck } from './own-check';
import { checkCheckpoint, type CheckpointVerdict } from './checkpoint-check';
import { keyToCheck, loadTrustedKey, parseTrustedKey, saveTrustedKey, usableKey, type KeyText } from './trusted-key';

/** Checkpoints checked per press: the newest ones. */
const CHECKPOINTS_SHOWN = 10;
type Checked = { listed: CheckpointsResult['checkpoints'][number]; verdict: CheckpointVerdict };

type Outcome<R> = { at: number } & ({ result: R } | { error: string });
const short = (h: string) => `${h.slice(0, 16)}…`;

/** The first bad entry, by number and by what it records. */
function badText(t: (k: string, o?: Record<string, unknown>) => string, bad: BadEntry | null): string {
  if (bad?.name) return t('evaluator.verify.badNamed', { seq: bad.seq, name: bad.name, why: bad.why });
  return t('evaluator.verify.bad', { seq: bad?.seq, why: bad?.why });
}

const hubUrl = () => hub.getState().connection.url;
const shortKey = (k: string) => `${k.slice(0, 20)}…`;

/** The evaluator's own key: shown, entered (pasted) or forgotten; kept in this console's storage for this hub. */
function TrustedKey({ own, onChange }: { own: KeyText | null; onChange: (k: KeyText | null) => void }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const save = async () => {
    const parsed = parseTrustedKey(text);
    if (!parsed.ok) return setProblem(t(`evaluator.verify.trusted.bad.${parsed.why}`));
    if (!(await usableKey(parsed.key))) return setProblem(t('evaluator.verify.trusted.bad.not_ed25519'));
    saveTrustedKey(localStorage, hubUrl(), parsed.key);
    onChange(parsed.key);
    setEditing(false);
    setProblem(null);
    setText('');
  };
  if (!editing) {
    return (
      <div className="ev-trusted" data-testid="trusted-key" data-key={own ?? ''}>
        <span className="muted">{own ? t('evaluator.verify.trusted.own', { key: shortKey(own) }) : t('evaluator.verify.trusted.none')}</span>
        <button type="button" data-testid="trusted-edit" onClick={() => setEditing(true)}>{t(own ? 'evaluator.verify.trusted.change' : 'evaluator.verify.trusted.enter')}</button>
        {own && <button type="button" data-testid="trusted-forget" onClick={() => { saveTrustedKey(localStorage, hubUrl(), null); onChange(null); }}>{t('evaluator.verify.trusted.forget')}</button>}
      </div>
    );
  }
  return (
    <form className="ev-trusted editing" data-testid="trusted-key" data-key={own ?? ''} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <label>{t('evaluator.verify.trusted.label')}
        <textarea data-testid="trusted-input" rows={3} value={text} spellCheck={false} placeholder="ed25519:…" onChange={(e) => { setText(e.target.value); setProblem(null); }} />
      </label>
      <span className="muted">{t('evaluator.verify.trusted.hint')}</span>
      {problem && <span className="err" role="alert" data-testid="trusted-problem">{problem}</span>}
      <div className="ev-filter-actions">
        <button type="submit" className="primary" data-testid="trusted-save">{t('evaluator.verify.trusted.save')}</button>
        <button type="button" onClick={() => { setEditing(false); setProblem(null); }}>{t('evaluator.verify.trusted.cancel')}</button>
      </div>
    </form>
  );
}

export function VerifyChain() {
  const { t } = useTranslation();
  const [trusted, setTrusted] = useState<KeyText | null>(() => loadTrustedKey(localStorage, hubUrl()));
  const clock = useClock();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome<AuditVerifyResult> | null>(null);
  const [own, setOwn] = useState<Outcome<OwnCheck> | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [checked, setChecked] = useState<{ key: string | null; source: 'own' | 'hub'; served: string | null; list: Checked[] } | null>(null);
  const run = async () => {
    setBusy(true);
    setOwn(null);
    setChecked(null);
    try {
      setOutcome({ at: Date.now(), result: await hub.request('audit:verify', {}, 120_000) });
    } catch (e) {
      setOutcome({ at: Date.now(), error: (e as Error).message });
    }
    try {
      // the checkpoints first: the walk keeps the hash at each one's count
      const { publicKey, checkpoints } = await hub.request('audit:checkpoints', { limit: CHECKPOINTS_SHOWN }, 60_000);
      const wanted = new Set<number>();
      for (const c of checkpoints) {
        const m = /count=(\d+)/.exec(c.line);
        if (m) wanted.add(Number(m[1]));
      }
      setProgress(0);
      const result = await checkChainHere(setProgress, wanted);
      setOwn({ at: Date.now(), result });
      const list: Checked[] = [];
      const { key, source } = keyToCheck(trusted, publicKey);
      for (const c of checkpoints) {
        list.push({ listed: c, verdict: key ? await checkCheckpoint(c.line, key, (n) => result.hashes.get(n), result.count, !result.ok) : { ok: false, why: 'other_key', count: null, at: null, key: null } });
      }
      setChecked({ key, source, served: publicKey, list });
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
      <div className="ev-verify-controls">
        <button type="button" data-testid="verify" onClick={() => void run()} disabled={busy}>{t(busy ? 'evaluator.verify.busy' : 'evaluator.verify.button')}</button>
        <TrustedKey own={trusted} onChange={(k) => { setTrusted(k); setChecked(null); }} />
      </div>
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
                : badText(t, own.result.firstBad)}
          </div>
        )}
        {checked && (
          <div className="ev-checkpoints" data-testid="verify-checkpoints" data-count={checked.list.length} data-key-source={checked.source} data-key={checked.key ?? ''}>
            {checked.key === null ? <span className="muted">{t('evaluator.verify.noKey')}</span> : (
              <>
                <span className={checked.source === 'own' ? 'ev-key-own' : 'muted'} data-testid="verify-key">
                  {checked.source === 'own'
                    ? t('evaluator.verify.checkpointsOwn', { key: shortKey(checked.key) })
                    : t('evaluator.verify.checkpoints', { key: shortKey(checked.key) })}
                </span>
                {checked.source === 'own' && checked.served && checked.served !== checked.key && (
                  <span className="err" data-testid="verify-key-differs">{t('evaluator.verify.trusted.differs', { key: shortKey(checked.served) })}</span>
                )}
                {checked.source === 'own' && checked.served === checked.key && <span className="muted" data-testid="verify-key-same">{t('evaluator.verify.trusted.same')}</span>}
                <ul className="list">
                  {checked.list.map(({ listed, verdict }) => (
                    <li key={listed.seq} data-testid="checkpoint" data-ok={String(verdict.ok)} data-why={verdict.ok ? '' : verdict.why} className={verdict.ok ? 'ok' : 'err'}>
                      {t('evaluator.verify.cpHead', { seq: listed.seq, time: clock(listed.at), actor: listed.actor, action: listed.action, count: verdict.count ?? '?' })} · {verdict.ok
                        ? t(checked.source === 'own' ? 'evaluator.verify.cpOkOwn' : 'evaluator.verify.cpOk', { count: verdict.count, key: shortKey(verdict.key) })
                        : t(`evaluator.verify.cpBad.${verdict.why}`, { count: verdict.count, key: verdict.key })}
                      <code className="hash" title={listed.line}> {listed.line.slice(-24)}</code>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
