// The field page (/field): a phone or vehicle terminal signs in as a device, sees its unit's tasks and
// answers them (accept / arrive / finish), checks in at its post, and can press SOS. Deliberately small.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { LngLat, Task } from '../../../shared/domain';
import type { Ack, FieldClientEvents, FieldServerEvents, HubEvent } from '../../../shared/protocol';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import { useTranslation } from 'react-i18next';
import { errorText } from '../common/errors';
import { newCommandId } from '../hub/client';
import { FieldMode } from './FieldMode';
import { SosPanel, useSosTrack } from './SosPanel';
import { TaskList } from './TaskList';
import { FieldVoice } from './voice/FieldVoice';

type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;
const HISTORY = 2000; // how far back a fresh device looks for its open tasks

/** Where the phone is, with the fix's time and accuracy (a check-in needs both: docs/protocol.md). */
function here(): Promise<{ at: LngLat; fix: { t: number; accuracy: number } } | null> {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ at: [p.coords.longitude, p.coords.latitude], fix: { t: Math.round(p.timestamp), accuracy: Math.min(10_000, p.coords.accuracy) } }),
      () => resolve(null), { timeout: 4000, maximumAge: 30_000 },
    );
  });
}

export function FieldApp() {
  const { t } = useTranslation();
  const [deviceId, setDeviceId] = useState('');
  const [secret, setSecret] = useState('');
  const [unitId, setUnitId] = useState('');
  const [status, setStatus] = useState<'out' | 'connecting' | 'live' | 'reconnecting'>('out');
  const [message, setMessage] = useState('');
  const [tasks, setTasks] = useState<Map<string, Task>>(new Map());
  const [postId, setPostId] = useState('');
  const socketRef = useRef<FieldSocket | null>(null);
  const unitRef = useRef('');

  useEffect(() => () => void socketRef.current?.disconnect(), []);

  const sos = useSosTrack(unitRef, () => withPosition('sos:raise', { note: '' }));

  const onEvent = (e: HubEvent) => {
    sos.onEvent(e);
    if (e.data.type === 'task:updated' && e.data.task.unitId === unitRef.current) {
      const task = e.data.task;
      setTasks((m) => new Map(m).set(task.id, task));
    }
  };

  const signIn = (ev: FormEvent) => {
    ev.preventDefault();
    socketRef.current?.disconnect();
    setStatus('connecting');
    setMessage('');
    const socket: FieldSocket = io(location.origin + NAMESPACES.field, { auth: { deviceId: deviceId.trim(), secret } });
    socketRef.current = socket;
    socket.on('connect_error', (err) => {
      // The hub refuses with `code: detail`; the device's user reads the code's words.
      setMessage(errorText(t, /^([a-z_]+):/.exec(err.message)?.[1] ?? 'unreachable'));
      if (!socket.active) setStatus('out');
    });
    socket.on('disconnect', () => setStatus('reconnecting'));
    socket.on('event', onEvent);
    socket.on('session:ready', async (s) => {
      const mine = s.unitIds === 'any' ? unitId.trim() : s.unitIds[0] ?? '';
      if (!mine) {
        setMessage(t('field.gateway'));
        socket.disconnect();
        setStatus('out');
        return;
      }
      unitRef.current = mine;
      setUnitId(mine);
      setStatus('live');
      // Catch up on this unit's recent task history (also after a reconnect).
      for (let after = Math.max(0, s.headSeq - HISTORY); ;) {
        const res = await socket.timeout(10_000).emitWithAck('events:since', { afterSeq: after, limit: 500 }).catch(() => null);
        if (!res?.ok) break;
        res.result.events.forEach(onEvent);
        if (!res.result.more || res.result.events.length === 0) break;
        after = res.result.events.at(-1)!.seq;
      }
    });
  };

  /** Send a field command with one commandId, retried on timeout. */
  const send = async (name: keyof FieldClientEvents, payload: Record<string, unknown>): Promise<Ack<unknown> | null> => {
    const socket = socketRef.current;
    if (!socket) return null;
    const body = { ...payload, unitId: unitRef.current, commandId: newCommandId() };
    for (let i = 0; i < 3; i++) {
      try {
        const res = (await (socket.timeout(8000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<unknown>> }).emitWithAck(name, body));
        setMessage(res.ok ? t('field.sent') : t('panel.failed', { message: errorText(t, res.error.code) }));
        return res;
      } catch {
        setMessage(t('field.retrying'));
      }
    }
    return null;
  };

  const withPosition = async (name: keyof FieldClientEvents, extra: Record<string, unknown>) => {
    const where = await here();
    if (!where) {
      setMessage(t('field.noPosition'));
      return null;
    }
    return send(name, { ...extra, position: where.at, ...(name === 'checkin:create' ? { fix: where.fix } : {}) });
  };

  if (status === 'out' || status === 'connecting') {
    return (
      <form className="field" onSubmit={signIn}>
        <h1>{t('field.title')}</h1>
        <label>{t('field.deviceId')}<input value={deviceId} onChange={(e) => setDeviceId(e.target.value)} required /></label>
        <label>{t('field.secret')}<input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} required /></label>
        <label>{t('field.unitId')}<input value={unitId} onChange={(e) => setUnitId(e.target.value)} /></label>
        <button type="submit" disabled={status === 'connecting'}>{t('field.signIn')}</button>
        {message && <p className="msg" role="alert">{message}</p>}
      </form>
    );
  }

  const open = [...tasks.values()].filter((x) => !['finished', 'refused', 'cancelled'].includes(x.state)).sort((a, b) => b.assignedAt - a.assignedAt);
  return (
    <div className="field">
      <h1>{unitRef.current} <small>{status === 'live' ? t('field.online') : t('field.reconnecting')}</small></h1>
      <FieldMode socket={socketRef.current} unitId={unitRef.current} />
      <SosPanel track={sos.track} press={sos.press} />
      <FieldVoice socket={socketRef.current} unitId={unitRef.current} tasks={open} accept={(taskId) => void send('task:accept', { taskId })} />
      <TaskList tasks={open} send={async (name, payload, needsPosition) => { await (needsPosition ? withPosition(name, payload) : send(name, payload)); }} />
      <h2>{t('field.checkInTitle')}</h2>
      <input value={postId} onChange={(e) => setPostId(e.target.value)} placeholder={t('field.postId')} />
      <button type="button" disabled={!postId} onClick={() => withPosition('checkin:create', { postId })}>{t('field.checkIn')}</button>
      {message && <p className="msg" role="status">{message}</p>}
    </div>
  );
}
