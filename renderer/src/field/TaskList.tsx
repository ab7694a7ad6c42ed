// The field unit's open tasks and the one next move of each: accept or refuse (with a reason), set off,
// arrive, finish (with a note). Moves that say where the unit is are sent with its position.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Task } from '../../../shared/domain';

export type TaskMove = 'task:accept' | 'task:refuse' | 'task:depart' | 'task:arrive' | 'task:finish';
type Props = {
  tasks: Task[];
  /** sends a move; `withPosition`: the device's position is required for it */
  send: (name: TaskMove, payload: Record<string, unknown>, withPosition: boolean) => Promise<void>;
};

function TaskCard({ task, send }: { task: Task; send: Props['send'] }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [refusing, setRefusing] = useState(false);
  const move = (name: TaskMove, extra: Record<string, unknown>, withPosition: boolean) => send(name, { taskId: task.id, ...extra }, withPosition);
  return (
    <div className="task" data-testid="field-task" data-task={task.id} data-state={task.state}>
      <div>{t('field.incident', { id: task.incidentId })} · <span data-testid="field-task-state">{t(`taskState.${task.state}`)}</span></div>
      {task.note && <div>{task.note}</div>}
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

export function TaskList({ tasks, send }: Props) {
  const { t } = useTranslation();
  return (
    <>
      <h2>{t('field.tasks')}</h2>
      {tasks.length === 0 && <p>{t('field.noTasks')}</p>}
      {tasks.map((task) => <TaskCard key={task.id} task={task} send={send} />)}
    </>
  );
}
