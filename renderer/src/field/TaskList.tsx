// The field unit's open tasks and the one next move of each: accept or refuse (with a reason), set off,
// arrive, finish (with a note). Moves that say where the unit is are sent with its position. Each task
// says what the officer needs of its incident (task:brief): the category and urgency, the street and
// cell, the description — never the incident's id.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS, type Task } from '../../../shared/domain';
import type { TaskBrief } from '../../../shared/protocol/enrol';
import { centerTimeText, DEFAULT_TIME_ZONE } from '../../../shared/time';
import { pick } from '../i18n';

export type TaskMove = 'task:accept' | 'task:refuse' | 'task:depart' | 'task:arrive' | 'task:finish';
type Props = {
  tasks: Task[];
  /** each task's incident as the hub described it (task id →); absent: not fetched yet */
  briefs: ReadonlyMap<string, TaskBrief>;
  /** connected: a missing brief is being fetched; else it waits for the connection */
  online: boolean;
  /** sends a move; `withPosition`: the device's position is required for it */
  send: (name: TaskMove, payload: Record<string, unknown>, withPosition: boolean) => Promise<void>;
};

function IncidentBrief({ brief, online }: { brief: TaskBrief | undefined; online: boolean }) {
  const { t, i18n } = useTranslation();
  if (!brief) return <div className="field-hint" data-testid="field-task-brief" data-loaded="false">{t(online ? 'fieldTask.loading' : 'fieldTask.unknown')}</div>;
  const i = brief.incident;
  const where = i.street ? (i.streetM !== null && i.streetM > 20 ? t('fieldTask.near', { street: i.street, m: Math.round(i.streetM) }) : t('fieldTask.at', { street: i.street })) : null;
  return (
    <div className="field-brief" data-testid="field-task-brief" data-loaded="true">
      <strong data-testid="field-task-what">{t('fieldTask.what', { category: pick(INCIDENT_CATEGORY_LABELS[i.category], i18n.language), priority: t(`priority.${i.priority}`) })}</strong>
      {where && <div data-testid="field-task-where">{where}</div>}
      {i.cell && <div>{t('fieldTask.area', { cell: i.cell, district: i.district ?? '' })}</div>}
      {i.description && <div data-testid="field-task-description">{i.description}</div>}
      <div className="field-hint">{t('fieldTask.reported', { at: centerTimeText(i.createdAt, DEFAULT_TIME_ZONE, false) })}</div>
    </div>
  );
}

function TaskCard({ task, send, brief, online }: { task: Task; send: Props['send']; brief: TaskBrief | undefined; online: boolean }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [refusing, setRefusing] = useState(false);
  const move = (name: TaskMove, extra: Record<string, unknown>, withPosition: boolean) => send(name, { taskId: task.id, ...extra }, withPosition);
  return (
    <div className="task" data-testid="field-task" data-task={task.id} data-state={task.state}>
      <div><span data-testid="field-task-state">{t(`taskState.${task.state}`)}</span></div>
      <IncidentBrief brief={brief} online={online} />
      {task.note && <div>{t('fieldTask.note', { note: task.note })}</div>}
      {task.state === 'assigned' && !refusing && (
        <>
          <button type="button" data-testid="field-accept" onClick={() => move('task:accept', {}, false)}>{t('field.accept')}</button>
          <button type="button" data-testid="field-refuse" onClick={() => setRefusing(true)}>{t('field.refuse')}</button>
        </>
      )}
      {task.state === 'assigned' && refusing && (
        <>
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('field.refuseReason')} maxLength={500} data-testid="field-refuse-reason" />
          <button type="button" disabled={text.trim() === ''} data-testid="field-refuse-send" onClick={() => move('task:refuse', { reason: text }, false)}>{t('field.refuse')}</button>
        </>
      )}
      {task.state === 'accepted' && <button type="button" data-testid="field-depart" onClick={() => move('task:depart', {}, true)}>{t('field.depart')}</button>}
      {(task.state === 'accepted' || task.state === 'en_route') && (
        <button type="button" data-testid="field-arrive" onClick={() => move('task:arrive', {}, true)}>{t('field.arrive')}</button>
      )}
      {task.state === 'arrived' && (
        <>
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('field.finishNote')} maxLength={2000} data-testid="field-finish-note" />
          <button type="button" data-testid="field-finish" onClick={() => move('task:finish', { note: text }, false)}>{t('field.finish')}</button>
        </>
      )}
    </div>
  );
}

export function TaskList({ tasks, send, briefs, online }: Props) {
  const { t } = useTranslation();
  return (
    <>
      <h2>{t('field.tasks')}</h2>
      {tasks.length === 0 && <p>{t('field.noTasks')}</p>}
      {tasks.map((task) => <TaskCard key={task.id} task={task} send={send} brief={briefs.get(task.id)} online={online} />)}
    </>
  );
}
