// The field page (/field), an installable web app an officer keeps open all shift: enrolled once by an
// admin's one-time code (EnrolScreen), it shows its unit by name (unit:profile), streams its position,
// checks in at the post it should be at without typing a post id, answers roll-calls, takes tasks and
// presses SOS. Every command goes through the outbox first (outbox.ts): with no signal it waits, shown
// as "waiting to send", and goes out with the same commandId when the phone is back. Position fixes are
// kept on the phone until the hub has them on disk (position-keeper.ts), and sent again after a reconnect.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Task } from '../../../shared/domain';
import type { RollCall } from '../../../shared/attendance';
import type { Ack, FieldClientEvents, FieldServerEvents, HubEvent } from '../../../shared/protocol';
import type { TaskBrief, UnitProfile } from '../../../shared/protocol/enrol';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import { centerTimeText, DEFAULT_TIME_ZONE } from '../../../shared/time';
import { useTranslation } from 'react-i18next';
import { errorText } from '../common/errors';
import { newCommandId } from '../hub/client';
import { forgetCredential, loadCredential, saveCredential, type FieldCredential } from './credential';
import { forgetBriefs, loadBriefs, saveBriefs } from './briefs';
import { EnrolScreen } from './EnrolScreen';
import { FieldMode } from './FieldMode';
import { Outbox, type OutboxSender } from './outbox';
import { checkInPost, fixEveryMs, useFix, type Fix } from './position';
import { PositionKeeper } from './position-keeper';
import { SosPanel, useSosTrack } from './SosPanel';
import { TaskList } from './TaskList';
import { FieldVoice } from './voice/FieldVoice';

type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;
const HISTORY = 2000; // how far back a fresh device looks for its open tasks
type Link = 'connecting' | 'online' | 'offline' | 'reconnecting';

/** A fresh fix for a check-in or roll-call answer (the hub refuses old ones); the watched one if none comes. */
function freshFix(fallback: Fix | null): Promise<Fix | null> {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(fallback);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ at: [p.coords.longitude, p.coords.latitude], t: Math.round(p.timestamp), accuracy: Math.min(10_000, p.coords.accuracy) }),
      () => resolve(fallback), { timeout: 5000, maximumAge: 5000, enableHighAccuracy: true },
    );
  });
}

export function FieldApp() {
  const [credential, setCredential] = useState<FieldCredential | null>(() => loadCredential());
  const [message, setMessage] = useState('');
  if (!credential) {
    return <EnrolScreen message={message} onCredential={(c) => { saveCredential(c); setMessage(''); setCredential(c); }} />;
  }
  return <FieldShift key={credential.deviceId} credential={credential} signOut={(why) => { forgetCredential(); forgetBriefs(credential.deviceId); setMessage(why); setCredential(null); }} />;
}

function FieldShift({ credential, signOut }: { credential: FieldCredential; signOut: (why: string) => void }) {
  const { t } = useTranslation();
  const [link, setLink] = useState<Link>('connecting');
  const [message, setMessage] = useState('');
  const [unitId, setUnitId] = useState('');
  const [profile, setProfile] = useState<UnitProfile | null>(null);
  const [tasks, setTasks] = useState<Map<string, Task>>(new Map());
  const [rollCalls, setRollCalls] = useState<Map<string, RollCall>>(new Map());
  const [briefs, setBriefs] = useState<ReadonlyMap<string, TaskBrief>>(() => loadBriefs(credential.deviceId));
  const [socket, setSocket] = useState<FieldSocket | null>(null);
  const located = useFix();
  const fixRef = useRef<Fix | null>(null);
  fixRef.current = located.fix;
  // The unit this phone speaks for: its credential says so before the hub does (session:ready confirms or
  // corrects it), so a command pressed before the first session:ready (a slow hub, a reload without signal)
  // still names it. An SOS queued as unitId '' was refused by the hub as malformed, and so lost (seen under load).
  const unitRef = useRef(credential.unitId);
  const lastSeq = useRef(-1);

  const outbox = useMemo(() => new Outbox(localStorage, `xiuhua.field.outbox.${credential.deviceId}`, newCommandId), [credential.deviceId]);
  const waiting = useSyncExternalStore((fn) => outbox.subscribe(fn), () => outbox.list());
  const keeper = useMemo(() => new PositionKeeper(localStorage, `xiuhua.field.fixes.${credential.deviceId}`), [credential.deviceId]);
  const fixesKept = useSyncExternalStore((fn) => keeper.subscribe(fn), () => keeper.count);

  const sender = useRef<OutboxSender>(() => Promise.reject(new Error('offline')));
  const flush = () => outbox.flush((name, payload) => sender.current(name, payload));

  const sos = useSosTrack(unitRef, () => queue('sos:raise', { note: '' }, 'required'));

  const onEvent = (e: HubEvent) => {
    lastSeq.current = Math.max(lastSeq.current, e.seq);
    sos.onEvent(e);
    if (e.data.type === 'task:updated' && e.data.task.unitId === unitRef.current) {
      const task = e.data.task;
      setTasks((m) => new Map(m).set(task.id, task));
    }
    if (e.data.type === 'rollcall:updated' && e.data.rollCall.targets.some((x) => x.unitId === unitRef.current)) {
      const rc = e.data.rollCall;
      setRollCalls((m) => new Map(m).set(rc.id, rc));
    }
  };
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  useEffect(() => {
    const s: FieldSocket = io(location.origin + NAMESPACES.field, { auth: { deviceId: credential.deviceId, secret: credential.secret } });
    setSocket(s);
    // Commands go out only once the hub has said which unit this device speaks for (session:ready, which
    // flushes the outbox): between the socket's connect and that, they wait like they do offline. One queued
    // with no unit known yet (a credential without one) is given the unit as it goes.
    let unitKnown = false;
    sender.current = (name, payload) => {
      if (!s.connected || !navigator.onLine || !unitKnown) return Promise.reject(new Error('offline'));
      const sent = payload.unitId === '' ? { ...payload, unitId: unitRef.current } : payload;
      return (s.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<unknown>> }).emitWithAck(name, sent);
    };
    s.on('connect_error', (err) => {
      const code = /^([a-z_]+):/.exec(err.message)?.[1] ?? 'unreachable';
      // A refused credential (revoked, or typed wrong) will not get better by retrying: back to enrolment, saying why.
      if (code === 'auth_failed') {
        s.disconnect();
        signOut(/revoked/.test(err.message) ? t('field.revoked') : t('field.refusedCredential'));
        return;
      }
      setMessage(errorText(t, code));
      setLink(navigator.onLine ? 'reconnecting' : 'offline');
    });
    s.on('disconnect', (reason) => {
      unitKnown = false;
      keeper.lost();
      setLink(navigator.onLine ? 'reconnecting' : 'offline');
      // The hub cut this connection (it does when an admin revokes the device, or when it shuts down);
      // socket.io does not come back by itself then. Ask again: a revoked device is refused (connect_error
      // above: back to enrolment), a restarting hub answers when it is up.
      if (reason === 'io server disconnect') setTimeout(() => { if (!s.connected && !s.active) s.connect(); }, 1000);
    });
    s.on('event', (e) => onEventRef.current(e));
    s.on('positions:durable', (d) => keeper.durable(d.through));
    s.on('session:ready', async (ready) => {
      const mine = ready.unitIds === 'any' ? credential.unitId : ready.unitIds[0] ?? '';
      if (!mine) {
        s.disconnect();
        signOut(t('field.gateway'));
        return;
      }
      unitRef.current = mine;
      unitKnown = true;
      setUnitId(mine);
      setLink('online');
      setMessage('');
      void flush(); // what waited for the signal goes first
      // A fresh durable mark (perhaps a restarted hub's): every fix not seen durable goes again.
      keeper.open((fixes) => (s.connected ? s.timeout(10_000).emitWithAck('unit:position', { fixes }) : Promise.reject(new Error('offline'))));
      s.timeout(10_000).emitWithAck('unit:profile', { unitId: mine }).then((res) => { if (res.ok) setProfile(res.result); }, () => {});
      // Catch up on what this unit missed (all of its recent history on a first connection).
      for (let after = lastSeq.current >= 0 ? lastSeq.current : Math.max(0, ready.headSeq - HISTORY); ;) {
        const res = await s.timeout(10_000).emitWithAck('events:since', { afterSeq: after, limit: 500 }).catch(() => null);
        if (!res?.ok) break;
        res.result.events.forEach((e: HubEvent) => onEventRef.current(e));
        if (!res.result.more || res.result.events.length === 0) break;
        after = res.result.events.at(-1)!.seq;
      }
      if (lastSeq.current < 0) lastSeq.current = ready.headSeq;
    });
    // The phone says when it has no network; the socket may take a while to notice, so do not wait for it.
    const offline = () => { setLink('offline'); s.disconnect(); };
    const online = () => { setLink('reconnecting'); s.connect(); };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    // An answer that did not come while connected (a busy hub) is asked for again, with the same commandId.
    const retry = setInterval(() => { if (s.connected) void flush(); }, 15_000);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      clearInterval(retry);
      sender.current = () => Promise.reject(new Error('offline'));
      keeper.lost();
      s.disconnect();
    };
  }, [credential]);

  // The position stream: one fix per interval, online or not, kept until durable (the keeper sends it).
  // Not before a unit is known: a fix names its unit.
  const every = useMemo(() => fixEveryMs(location.search), []);
  const lastKept = useRef(0);
  useEffect(() => {
    const fix = located.fix;
    if (!fix || !unitRef.current || fix.t <= lastKept.current || fix.t - lastKept.current < every) return;
    lastKept.current = fix.t;
    keeper.add({ unitId: unitRef.current, t: fix.t, lng: fix.at[0], lat: fix.at[1], accuracy: fix.accuracy });
  }, [located.fix, keeper, every]);

  /** Queues a command for this unit (with where it is, when the command carries that) and resolves to its ack whenever it comes. */
  async function queue(name: string, extra: Record<string, unknown>, position: 'required' | 'optional' | 'none', withFix = false): Promise<Ack<unknown> | null> {
    const fix = withFix ? await freshFix(fixRef.current) : fixRef.current;
    if (position === 'required' && !fix) {
      setMessage(t('field.noPosition'));
      return null;
    }
    const payload: Record<string, unknown> = { ...extra, unitId: unitRef.current };
    if (fix && position !== 'none') payload.position = fix.at;
    if (fix && withFix) payload.fix = { t: fix.t, accuracy: fix.accuracy };
    const { answered } = outbox.add(name, payload);
    setMessage(link === 'online' ? '' : t('field.queued'));
    void flush();
    const ack = await answered;
    setMessage(ack.ok ? t('field.sent') : t('panel.failed', { message: errorText(t, ack.error.code) }));
    return ack;
  }

  // Each open task's incident, asked once per task while connected, and kept on the phone (a page
  // reloaded without signal still says what the task is about).
  const asking = useRef(new Set<string>());
  useEffect(() => {
    if (!socket || link !== 'online' || !unitRef.current) return;
    for (const task of tasks.values()) {
      if (briefs.has(task.id) || asking.current.has(task.id) || ['finished', 'refused', 'cancelled'].includes(task.state)) continue;
      asking.current.add(task.id);
      socket.timeout(10_000).emitWithAck('task:brief', { unitId: unitRef.current, taskId: task.id }).then((res) => {
        if (res.ok) setBriefs((m) => saveBriefs(credential.deviceId, new Map(m).set(task.id, res.result)));
      }, () => {}).finally(() => asking.current.delete(task.id));
    }
  }, [socket, link, tasks, briefs, credential.deviceId]);

  const target = checkInPost(profile, located.fix);
  const open = [...tasks.values()].filter((x) => !['finished', 'refused', 'cancelled'].includes(x.state)).sort((a, b) => b.assignedAt - a.assignedAt);
  const calls = [...rollCalls.values()].filter((rc) => !rc.closed && rc.targets.some((x) => x.unitId === unitId && x.state === 'pending'));
  const unit = profile?.unit;
  return (
    <div className="field">
      <header data-testid="field-unit" data-unit={unitId}>
        <h1>{unit?.name ?? unitId} <small data-testid="field-link" data-state={link}>{t(`fieldLink.${link}`)}</small></h1>
        {profile && (
          <div className="field-where">
            {[unit?.badge, unit?.plate, unit?.squad].filter(Boolean).join(' · ')}
            {profile.cell && <div>{t('fieldUnit.cell', { cell: profile.cell.name, district: profile.district?.name ?? '' })}</div>}
            {profile.post && <div>{t('fieldUnit.post', { post: profile.post.name })}</div>}
            {profile.route && <div>{t('fieldUnit.route', { route: profile.route.name })}</div>}
          </div>
        )}
        <div className="field-hint" data-testid="field-fix">
          {located.fix ? t('fieldUnit.fix', { m: Math.round(located.fix.accuracy) }) : t(`fieldUnit.noFix.${located.problem ?? 'waiting'}`)}
        </div>
        {/* Online, fixes are kept for a tenth of a second: only a pile-up (no signal, a hub away) is news. */}
        {fixesKept > 0 && (link !== 'online' || keeper.dropped > 0) && (
          <div className="field-hint" data-testid="field-fixes" data-count={fixesKept} data-dropped={keeper.dropped}>
            {t('fieldUnit.fixesKept', { count: fixesKept })}{keeper.dropped > 0 && t('fieldUnit.fixesDropped', { count: keeper.dropped })}
          </div>
        )}
      </header>
      {waiting.length > 0 && (
        <p className="field-outbox" data-testid="field-outbox" data-count={waiting.length}>{t('field.waiting', { count: waiting.length })}</p>
      )}
      <FieldMode socket={socket} unitId={unitId} />
      <SosPanel track={sos.track} press={sos.press} queued={waiting.some((e) => e.name === 'sos:raise')} />
      <FieldVoice socket={socket} unitId={unitId} tasks={open} accept={(taskId) => void queue('task:accept', { taskId }, 'optional')} />
      {calls.map((rc) => (
        <section key={rc.id} className="field-rollcall" data-testid="field-rollcall" data-rollcall={rc.id}>
          <strong>{t('fieldUnit.rollCall', { at: centerTimeText(rc.deadline, DEFAULT_TIME_ZONE, false) })}</strong>
          <button type="button" data-testid="field-rollcall-answer" onClick={() => void queue('rollcall:answer', { rollCallId: rc.id }, 'required', true)}>{t('fieldUnit.answer')}</button>
        </section>
      ))}
      <TaskList tasks={open} briefs={briefs} online={link === 'online'} send={async (name, payload, needsPosition) => { await queue(name, payload, needsPosition ? 'required' : 'optional'); }} />
      <h2>{t('field.checkInTitle')}</h2>
      {target ? (
        <button type="button" data-testid="field-checkin" data-post={target.post.id} onClick={() => void queue('checkin:create', { postId: target.post.id }, 'required', true)}>
          {target.distanceM === null ? t('fieldUnit.checkInAt', { post: target.post.name }) : t('fieldUnit.checkInAtM', { post: target.post.name, m: Math.round(target.distanceM) })}
        </button>
      ) : <p className="field-hint">{profile ? t('fieldUnit.noPost') : t('fieldUnit.loading')}</p>}
      {message && <p className="msg" role="status">{message}</p>}
      <button type="button" className="field-forget" data-testid="field-forget" disabled={waiting.length > 0}
        onClick={() => { if (confirm(t('fieldUnit.forgetConfirm'))) signOut(''); }}>{t('fieldUnit.forget')}</button>
    </div>
  );
}
