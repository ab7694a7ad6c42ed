// An incident's tasks: each unit's state and the time left to its next deadline, and (for operators and
// duty managers) reassigning an open task to another unit or cancelling it, each with a reason.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Task } from '../../../../shared/domain';
import type { Recommendation } from '../../../../shared/protocol/recommend';
import { hub, useHub } from '../../hub';
import { OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { useNow } from '../../common/useNow';
import { select } from '../../state/selection';

const OPEN: readonly Task['state'][] = ['assigned', 'accepted', 'en_route', 'arrived'];

/** The deadline a task is working towards in its state: accept, be on site, finish. */
export function nextDeadline(task: Task): { what: 'ack' | 'arrive' | 'finish'; at: number } | null {
  if (task.state === 'assigned') return { what: 'ack', at: task.ackDeadline };
  if (task.state === 'accepted' || task.state === 'en_route') return { what: 'arrive', at: task.arriveDeadline };
  if (task.state === 'arrived' && task.finishDeadline !== null) return { what: 'finish', at: task.finishDeadline };
  return null;
}

const mmss = (ms: number) => {
  const s = Math.round(Math.abs(ms) / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function TimeLeft({ task }: { task: Task }) {
  const { t } = useTranslation();
  const skew = useHub((s) => s.clockSkewMs);
  const now = useNow(1000) + skew;
  const d = nextDeadline(task);
  if (!d) return null;
  const left = d.at - now;
  const what = t(`dispatch.deadline.${d.what}`);
  return (
    <span className={left < 0 ? 'err' : 'hint'} data-testid="time-left" data-deadline={d.what}>
      {left >= 0 ? t('dispatch.timeLeft', { what, left: mmss(left) }) : t('dispatch.overdue', { what, left: mmss(left) })}
    </span>
  );
}

function TaskActions({ task, candidates }: { task: Task; candidates: Recommendation[] }) {
  const { t } = useTranslation();
  const units = useHub((s) => s.units);
  const isManager = useHub((s) => s.user?.role === 'duty_manager');
  const [open, setOpen] = useState<'reassign' | 'cancel' | null>(null);
  const [reason, setReason] = useState('');
  const [unitId, setUnitId] = useState('');
  const [override, setOverride] = useState('');
  const [outcome, busy, run] = useCommand();
  const others = candidates.filter((c) => c.unitId !== task.unitId);
  const target = unitId || others[0]?.unitId || '';
  const send = async () => {
    const done = open === 'reassign'
      ? await run((o) => hub.command('task:reassign', { taskId: task.id, unitId: target, reason, ...(override ? { override: { reason: override } } : {}) }, o))
      : await run((o) => hub.command('task:cancel', { taskId: task.id, reason }, o));
    if (done) setOpen(null);
  };
  return (
    <>
      <span className="actions">
        <button type="button" data-testid="task-reassign" aria-pressed={open === 'reassign'} onClick={() => setOpen(open === 'reassign' ? null : 'reassign')}>{t('dispatch.reassign')}</button>
        <button type="button" data-testid="task-cancel" aria-pressed={open === 'cancel'} onClick={() => setOpen(open === 'cancel' ? null : 'cancel')}>{t('dispatch.cancel')}</button>
      </span>
      {open && (
        <div className="form" data-testid={`task-${open}-form`}>
          {open === 'reassign' && (
            <label>{t('dispatch.reassignTo')}
              <select value={target} onChange={(e) => setUnitId(e.target.value)} data-testid="reassign-unit">
                {others.map((c) => <option key={c.unitId} value={c.unitId}>{units.get(c.unitId)?.name ?? c.unitId} · {t('recommend.eta', { min: Math.max(1, Math.round(c.etaSec / 60)) })}</option>)}
              </select>
            </label>
          )}
          <label>{t(open === 'reassign' ? 'dispatch.reassignReason' : 'dispatch.cancelReason')}
            <input value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} data-testid={`${open}-reason`} />
          </label>
          {open === 'reassign' && isManager && (
            <label>{t('dispatch.override')}<input value={override} maxLength={500} onChange={(e) => setOverride(e.target.value)} data-testid="reassign-override" /></label>
          )}
          <button type="button" className="primary" disabled={busy || reason.trim() === '' || (open === 'reassign' && !target)} onClick={send} data-testid={`${open}-send`}>
            {t(open === 'reassign' ? 'dispatch.reassignSend' : 'dispatch.cancel')}
          </button>
        </div>
      )}
      <OutcomeLine outcome={outcome} />
    </>
  );
}

export function IncidentTasks({ tasks, candidates }: { tasks: Task[]; candidates: Recommendation[] }) {
  const { t } = useTranslation();
  const units = useHub((s) => s.units);
  const canDispatch = useCanDispatch();
  if (tasks.length === 0) return null;
  return (
    <>
      <h3>{t('panel.tasks')}</h3>
      <ul className="list" data-testid="incident-tasks">
        {tasks.map((x) => (
          <li key={x.id} data-testid="incident-task" data-task={x.id} data-unit={x.unitId} data-state={x.state}>
            <span>
              <a onClick={() => select({ kind: 'unit', id: x.unitId })}>{units.get(x.unitId)?.name ?? x.unitId}</a>
              {' · '}<span data-testid="task-state">{t(`taskState.${x.state}`)}</span>
              {OPEN.includes(x.state) && <>{' · '}<TimeLeft task={x} /></>}
            </span>
            {canDispatch && OPEN.includes(x.state) && <TaskActions task={x} candidates={candidates} />}
          </li>
        ))}
      </ul>
    </>
  );
}
