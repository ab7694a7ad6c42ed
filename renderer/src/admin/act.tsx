// What the admin's buttons share: a read of the hub that refreshes itself, and a command whose outcome
// is said in the admin's language — a refusal by its code and, where the hub sends them, its issues (a
// weak password's rule, a camera on the wrong kind of unit) worded by issueText, never the hub's English.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Issue } from '../../../shared/protocol/commands';
import { hub, type CommandArgs, type CommandName, type CommandReturn } from '../hub';
import { errorText } from '../common/errors';
import { issueText, refusalIssues } from '../common/issues';

/** How often an open list is read again (sessions come and go, devices connect). */
const REFRESH_MS = 10_000;

export function useHubList<T>(read: () => Promise<T>): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    read().then((d) => { if (live) { setData(d); setError(null); } }, (e: Error) => { if (live) setError(/^([a-z_]+):/.exec(e.message)?.[1] ?? 'unknown'); });
    const timer = setTimeout(reload, REFRESH_MS);
    return () => { live = false; clearTimeout(timer); };
  }, [tick, read, reload]);
  return { data, error, reload };
}

/** A refusal keeps its issues, not words, so that it is worded again when the admin switches language. */
export type Result = { ok: true; text: string } | { ok: false; code: string; issues: Issue[] } | { queued: string } | null;

/** `send(name, args, okText)`: runs the command, remembers how it went; resolves with the result or null. */
export function useAction(): [Result, boolean, <N extends CommandName>(name: N, args: CommandArgs<N>, okText: (r: CommandReturn<N>) => string) => Promise<CommandReturn<N> | null>] {
  const [result, setResult] = useState<Result>(null);
  const [busy, setBusy] = useState(false);
  const send = async <N extends CommandName>(name: N, args: CommandArgs<N>, okText: (r: CommandReturn<N>) => string) => {
    setBusy(true);
    setResult(null);
    const res = await hub.command(name, args, { onQueued: (id) => setResult({ queued: id }) });
    setBusy(false);
    if (res.ok) {
      setResult({ ok: true, text: okText(res.result) });
      return res.result;
    }
    setResult({ ok: false, code: res.error.code, issues: refusalIssues(res.error) });
    return null;
  };
  return [result, busy, send];
}

export function ResultLine({ result }: { result: Result }) {
  const { t } = useTranslation();
  if (!result) return null;
  if ('queued' in result) return <p className="queued" role="status" data-testid="admin-result" data-outcome="queued">{t('panel.queued', { id: result.queued.slice(0, 8) })}</p>;
  if (result.ok) return <p className="ok" role="status" data-testid="admin-result" data-outcome="ok">{result.text}</p>;
  return (
    <p className="err" role="alert" data-testid="admin-result" data-outcome={result.code}>
      {errorText(t, result.code)}{result.issues.length ? `: ${result.issues.map((i) => issueText(t, i)).join('; ')}` : ''}
    </p>
  );
}

/** A read that failed, said plainly, with a way to try again. */
export function LoadProblem({ code, reload }: { code: string; reload: () => void }) {
  const { t } = useTranslation();
  return (
    <p className="err" role="alert">
      {t('admin.loadFailed', { reason: errorText(t, code) })} <button type="button" onClick={reload}>{t('admin.refresh')}</button>
    </p>
  );
}
