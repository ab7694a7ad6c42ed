// The field page (/field): a phone or vehicle terminal signs in as a device, sees its unit's tasks and
// answers them (accept / arrive / finish), checks in at its post, and can press SOS. Deliberately small.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { LngLat, Task } from '../../../shared/domain';
import type { Ack, FieldClientEvents, FieldServerEvents, HubEvent } from '../../../shared/protocol';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import { newCommandId } from '../hub/client';

type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;
const zh = navigator.language.toLowerCase().startsWith('zh');
const T = (zhText: string, en: string) => (zh ? zhText : en);
const HISTORY = 2000; // how far back a fresh device looks for its open tasks
const STATE_TEXT: Record<Task['state'], string> = {
  assigned: T('待接收', 'Assigned'), accepted: T('已接收', 'Accepted'), arrived: T('已到场', 'On site'),
  finished: T('已完成', 'Finished'), refused: T('已拒绝', 'Refused'), cancelled: T('已取消', 'Cancelled'),
};

function here(): Promise<LngLat | null> {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition((p) => resolve([p.coords.longitude, p.coords.latitude]), () => resolve(null), { timeout: 4000 });
  });
}

export function FieldApp() {
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

  const onEvent = (e: HubEvent) => {
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
      setMessage(err.message);
      if (!socket.active) setStatus('out');
    });
    socket.on('disconnect', () => setStatus('reconnecting'));
    socket.on('event', onEvent);
    socket.on('session:ready', async (s) => {
      const mine = s.unitIds === 'any' ? unitId.trim() : s.unitIds[0] ?? '';
      if (!mine) {
        setMessage(T('此设备为网关，请填写队员编号', 'This device is a gateway: enter the unit id to act for'));
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
  const send = async (name: keyof FieldClientEvents, payload: Record<string, unknown>) => {
    const socket = socketRef.current;
    if (!socket) return;
    const body = { ...payload, unitId: unitRef.current, commandId: newCommandId() };
    for (let i = 0; i < 3; i++) {
      try {
        const res = (await (socket.timeout(8000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<unknown>> }).emitWithAck(name, body));
        setMessage(res.ok ? T('已发送', 'Sent') : `${res.error.code}: ${res.error.message}`);
        return;
      } catch {
        setMessage(T('中枢无应答，重试中…', 'No answer from the hub, retrying…'));
      }
    }
  };

  const withPosition = async (name: 'task:arrive' | 'checkin:create' | 'sos:raise', extra: Record<string, unknown>) => {
    const at = await here();
    if (!at) {
      setMessage(T('无法获取定位', 'No position available'));
      return;
    }
    await send(name, { ...extra, position: at });
  };

  if (status === 'out' || status === 'connecting') {
    return (
      <form className="field" onSubmit={signIn}>
        <h1>{T('绣花 · 外勤终端', 'Xiuhua field terminal')}</h1>
        <label>{T('设备编号', 'Device id')}<input value={deviceId} onChange={(e) => setDeviceId(e.target.value)} required /></label>
        <label>{T('设备密钥', 'Device secret')}<input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} required /></label>
        <label>{T('队员编号（网关设备）', 'Unit id (gateway devices)')}<input value={unitId} onChange={(e) => setUnitId(e.target.value)} /></label>
        <button type="submit" disabled={status === 'connecting'}>{T('登录', 'Sign in')}</button>
        {message && <p className="msg" role="alert">{message}</p>}
      </form>
    );
  }

  const open = [...tasks.values()].filter((t) => !['finished', 'refused', 'cancelled'].includes(t.state)).sort((a, b) => b.assignedAt - a.assignedAt);
  return (
    <div className="field">
      <h1>{unitRef.current} <small>{status === 'live' ? T('在线', 'online') : T('重新连接中…', 'reconnecting…')}</small></h1>
      <button type="button" className="sos" onClick={() => withPosition('sos:raise', { note: '' })}>SOS {T('一键求助', 'help')}</button>
      <h2>{T('任务', 'Tasks')}</h2>
      {open.length === 0 && <p>{T('暂无任务', 'No open tasks')}</p>}
      {open.map((t) => (
        <div key={t.id} className="task">
          <div>{t.incidentId} · {STATE_TEXT[t.state]}</div>
          {t.note && <div>{t.note}</div>}
          {t.state === 'assigned' && <button type="button" onClick={() => send('task:accept', { taskId: t.id })}>{T('接收', 'Accept')}</button>}
          {t.state === 'accepted' && <button type="button" onClick={() => withPosition('task:arrive', { taskId: t.id })}>{T('到场', 'Arrived')}</button>}
          {t.state === 'arrived' && <button type="button" onClick={() => send('task:finish', { taskId: t.id, note: '' })}>{T('完成', 'Finish')}</button>}
        </div>
      ))}
      <h2>{T('岗点打卡', 'Check in at post')}</h2>
      <input value={postId} onChange={(e) => setPostId(e.target.value)} placeholder={T('岗点编号', 'Post id')} />
      <button type="button" disabled={!postId} onClick={() => withPosition('checkin:create', { postId })}>{T('打卡', 'Check in')}</button>
      {message && <p className="msg" role="status">{message}</p>}
    </div>
  );
}
