// The field page's voice: hold the big button to talk to the center; hear the center (and the area or
// all-units calls this unit is on); and voice dispatch — each new task is read aloud in Chinese, so an
// officer on a bike hears it, and one button answers it ("收到": accept). Where the phone has no Chinese
// voice the page says so instead of staying silent.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Socket } from 'socket.io-client';
import type { Task } from '../../../../shared/domain';
import { announcer, useVoiceState } from '../../common/announcer';
import { Intercom } from '../../common/voice/intercom';
import { socketLink } from '../../common/voice/link';
import { useIntercom, usePendingRecordings } from '../../common/voice/react';
import { useNow } from '../../common/useNow';
import './voice.css';

type Props = { socket: Socket | null; unitId: string; tasks: Task[]; accept: (taskId: string) => void };

/**
 * What is read aloud for a new task: always Chinese (the officers' language), whatever the page shows.
 * Not the incident's id (nobody can use one read aloud): the center's note, or where to read the rest.
 */
export const taskSpeech = (task: Task): string => `新任务。${task.note || '请查看屏幕上的任务详情'}`;

export function FieldVoice({ socket, unitId, tasks, accept }: Props) {
  const [intercom, setIntercom] = useState<Intercom | null>(null);
  useEffect(() => {
    if (!socket || !unitId) return;
    const made = new Intercom(socketLink(socket), unitId);
    setIntercom(made);
    return () => {
      made.close();
      setIntercom(null);
    };
  }, [socket, unitId]);
  return (
    <>
      {intercom && <TalkButton intercom={intercom} channel={`unit:${unitId}`} />}
      <VoiceDispatch tasks={tasks} accept={accept} />
    </>
  );
}

function TalkButton({ intercom, channel }: { intercom: Intercom; channel: string }) {
  const { t } = useTranslation();
  const state = useIntercom(intercom);
  const pending = usePendingRecordings(intercom);
  const now = useNow(500);
  return (
    <div className="field-voice" data-testid="field-voice" data-joined={state.joined}>
      <button
        type="button" className={`field-ptt${state.talking ? ' on' : ''}`} data-testid="field-ptt" disabled={!state.joined}
        onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); void intercom.press(channel); }}
        onPointerUp={() => void intercom.release()} onPointerCancel={() => void intercom.release()}
        onContextMenu={(e) => e.preventDefault()}
      >
        {state.talking ? t('fieldVoice.talking', { left: Math.max(0, Math.ceil((state.talking.endsBy - now) / 1000)) }) : t('fieldVoice.talk')}
      </button>
      {state.hearing && <p className="field-hearing" data-testid="field-hearing">{t('fieldVoice.hearing')}</p>}
      {state.notice && <p className="msg" role="alert" data-testid="field-voice-notice">{t(`voice.notice.${state.notice}`, { sec: state.talkLimitSec })}</p>}
      {pending.map((p) => (
        <p key={p.commandId} className="msg" data-testid="field-voice-upload">
          {p.refused ? t('voice.refused', { code: p.refused }) : t('voice.uploading', { n: p.attempts })}
          {p.refused && <button type="button" onClick={() => intercom.uploads.dismiss(p.commandId)}>{t('voice.dismiss')}</button>}
        </p>
      ))}
    </div>
  );
}

function VoiceDispatch({ tasks, accept }: { tasks: Task[]; accept: (taskId: string) => void }) {
  const { t } = useTranslation();
  const voice = useVoiceState();
  const spoken = useRef(new Set<string>());
  useEffect(() => announcer.setLanguage('zh-CN'), []);
  useEffect(() => {
    for (const task of tasks) {
      if (task.state !== 'assigned' || spoken.current.has(task.id)) continue;
      spoken.current.add(task.id);
      announcer.say({ text: taskSpeech(task), lang: 'zh-CN', urgent: false });
    }
  }, [tasks]);
  const newest = tasks.filter((x) => x.state === 'assigned').sort((a, b) => b.assignedAt - a.assignedAt)[0];
  if (!newest) return null;
  return (
    <div className="field-dispatch" data-testid="field-dispatch" data-task={newest.id}>
      <p>{voice === 'ok' ? t('fieldVoice.readAloud') : t('fieldVoice.noVoice')}</p>
      <button type="button" className="field-roger" data-testid="field-roger" onClick={() => accept(newest.id)}>{t('fieldVoice.roger')}</button>
    </div>
  );
}
