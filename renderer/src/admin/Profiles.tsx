// Mode profiles: what each mode decides (staffing minima, check-ins, task deadlines, escalation, alarms,
// the demo incident rate, the video wall per display), edited as a whole and saved as a new version with
// a reason (profile:save). What will change is shown before saving; the hub's own checks (shared/modes.ts
// profileIssues) are said here first, in words, and its refusal — a version someone else saved meanwhile,
// a rule broken — is worded from its issue codes. Another admin's save arrives as profile:updated.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Role, type ModeName } from '../../../shared/domain';
import {
  LAYOUT_TILES, ModeProfile, PROFILE_BOUNDS, ProfileProblem, profileChanges, profileIssues, type VersionedProfile, type WallPreset,
} from '../../../shared/modes';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { errorText } from '../common/errors';
import { refusalIssues } from '../common/issues';
import type { Issue } from '../../../shared/protocol/commands';
import { useClock } from '../common/format';
import { profileOf } from '../state/modes';

const MODES: ModeName[] = ['daily', 'night', 'holiday', 'emergency'];
const LAYOUTS = Object.keys(LAYOUT_TILES) as WallPreset['layout'][];

type NumPath = 'minStaffPerCell' | 'checkInIntervalMin' | 'attendance.lateAfterMin' | 'attendance.missingAfterMin' | 'taskAckSec' | 'taskArriveSec' | 'taskFinishSec' | 'sosEscalateSec' | 'demoIncidentsPerHour';
const GROUPS: Array<{ title: string; fields: NumPath[] }> = [
  { title: 'staffing', fields: ['minStaffPerCell', 'checkInIntervalMin', 'attendance.lateAfterMin', 'attendance.missingAfterMin'] },
  { title: 'deadlines', fields: ['taskAckSec', 'taskArriveSec', 'taskFinishSec'] },
];
const BOUNDS: Partial<Record<string, readonly [number, number]>> = PROFILE_BOUNDS;
const SECONDS = new Set<string>(['taskAckSec', 'taskArriveSec', 'taskFinishSec', 'sosEscalateSec']);

const getNum = (p: ModeProfile, path: NumPath): number => (path.startsWith('attendance.') ? p.attendance[path.slice(11) as 'lateAfterMin'] : p[path as 'minStaffPerCell']);
const setNum = (p: ModeProfile, path: NumPath, v: number): ModeProfile => (path.startsWith('attendance.')
  ? { ...p, attendance: { ...p.attendance, [path.slice(11)]: v } }
  : { ...p, [path]: v });
const numOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** A profile's setting in the admin's words: `escalation.1.afterSec` → "Escalation step 2: after (s)". */
function describePath(t: TFunction, path: string): string {
  const fieldKey = `admin.profiles.fields.${path.replace('.', '_')}`;
  if (t(fieldKey, { defaultValue: '' })) return t(fieldKey);
  const step = /^escalation\.(\d+)\.(role|afterSec)$/.exec(path);
  if (step) return t('admin.profiles.paths.step', { n: Number(step[1]) + 1, what: t(`admin.profiles.paths.${step[2]}`) });
  const wall = /^(wall|wallByDisplay\.([^.]+))(?:\.(layout|cameras)(?:\.(\d+))?)?/.exec(path);
  if (wall) {
    const name = wall[2] ? t('admin.profiles.display', { id: wall[2] }) : t('admin.profiles.allDisplays');
    if (wall[4] !== undefined) return t('admin.profiles.paths.tileOf', { wall: name, n: Number(wall[4]) + 1 });
    if (wall[3]) return t(`admin.profiles.paths.${wall[3]}Of`, { wall: name });
    return t('admin.profiles.paths.wallOf', { wall: name });
  }
  if (path.startsWith('escalation')) return t('admin.profiles.escalation');
  return path;
}

function describeValue(t: TFunction, path: string, v: unknown): string {
  if (v === null || v === undefined) return t('admin.profiles.none');
  if (path.endsWith('.role') && typeof v === 'string') return t(`roles.${v}`);
  if (path.endsWith('.cameras') && v === 'key') return t('admin.profiles.keyWord');
  if (path.endsWith('.layout') && typeof v === 'string') return t(`admin.profiles.layouts.${v}`, { defaultValue: v });
  if (path === 'mapTheme' && typeof v === 'string') return t(`admin.profiles.themes.${v}`);
  if (path === 'alarmSound' && typeof v === 'string') return t(`admin.profiles.sounds.${v}`);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const boundsOf = (path: string) => BOUNDS[path] ?? (/^escalation\.\d+\.afterSec$/.test(path) ? PROFILE_BOUNDS.escalationAfterSec : undefined);

/** What stands in the way of saving, in words: the schema's complaints, then the hub's rules. */
function problemsOf(t: TFunction, mode: ModeName, draft: ModeProfile, cameraIds: ReadonlySet<string>): string[] {
  const parsed = ModeProfile.safeParse(draft);
  if (!parsed.success) return [...new Set(parsed.error.issues.map((i) => t('admin.profiles.invalidField', { field: describePath(t, i.path.join('.')) })))];
  return profileIssues(mode, parsed.data, cameraIds).map((i) => problemText(t, i.problem, i.path));
}

/** One problem of a profile in words: the field, what is wrong with it, and the field's range when it has one. */
function problemText(t: TFunction, problem: ProfileProblem, path: string): string {
  const b = boundsOf(path);
  const why = t(`admin.profiles.problems.${problem}`);
  return path ? `${describePath(t, path)}: ${why}${b ? ` (${t('admin.profiles.range', { lo: b[0], hi: b[1] })})` : ''}` : why;
}

/** The hub's refusal of a save in the admin's language, from its issues (profile_stale, profile_<problem>). */
function refusalText(t: TFunction, code: string, issues: readonly Issue[]): string {
  const stale = issues.find((i) => i.code === 'profile_stale');
  if (stale) return t('admin.profiles.stale', stale.params);
  const problems = issues.flatMap((i) => {
    const problem = ProfileProblem.safeParse(i.code.replace(/^profile_/, '')).data;
    return problem ? [problemText(t, problem, typeof i.params.path === 'string' ? i.params.path : '')] : [];
  });
  return t('admin.profiles.refused', { why: problems.length ? problems.join('; ') : errorText(t, code) });
}

/** A refusal keeps the hub's issues, and is worded when shown (so again when the language changes). */
type Outcome = { ok: true; version: number } | { ok: false; code: string; issues: Issue[] } | { queued: string } | null;

export function Profiles() {
  const { t } = useTranslation();
  const [mode, setMode] = useState<ModeName>('emergency');
  const current = useHub((s) => s.profiles?.[mode] ?? null);
  return (
    <section className="admin-section admin-profiles" aria-label={t('admin.tabs.profiles')}>
      <nav className="admin-tabs" role="tablist" aria-label={t('admin.profiles.mode')}>
        {MODES.map((m) => <ModeTab key={m} mode={m} selected={m === mode} onSelect={() => setMode(m)} />)}
      </nav>
      {!current && <p className="muted">{t('admin.loading')}</p>}
      {current && <ProfileEditor key={mode} mode={mode} current={current} />}
    </section>
  );
}

function ModeTab({ mode, selected, onSelect }: { mode: ModeName; selected: boolean; onSelect: () => void }) {
  const { i18n } = useTranslation();
  const label = useHub((s) => pick(profileOf(s, mode).label, i18n.language));
  return <button type="button" role="tab" aria-selected={selected} data-testid={`profile-mode-${mode}`} onClick={onSelect}>{label}</button>;
}

function ProfileEditor({ mode, current }: { mode: ModeName; current: VersionedProfile }) {
  const { t, i18n } = useTranslation();
  const clock = useClock();
  const cameras = useHub((s) => s.cameras);
  const cameraIds = useMemo(() => new Set(cameras.keys()), [cameras]);
  const [base, setBase] = useState<VersionedProfile>(current);
  const [draft, setDraft] = useState<ModeProfile>(current.profile);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [loaded, setLoaded] = useState<VersionedProfile | null>(null);
  const changes = useMemo(() => profileChanges(base.profile, draft), [base, draft]);
  const problems = useMemo(() => (changes.length ? problemsOf(t, mode, draft, cameraIds) : []), [t, mode, draft, cameraIds, changes.length]);
  const who = (v: VersionedProfile) => (v.by === 'system' ? t('admin.profiles.shipped') : t('admin.profiles.savedBy', { by: v.by, at: clock(v.at, true) }));

  // Another admin's save (profile:updated): taken at once when nothing is being edited, else said.
  const newer = current.version > base.version && !busy ? current : null;
  useEffect(() => {
    if (newer && changes.length === 0) {
      setBase(newer);
      setDraft(newer.profile);
      setLoaded(newer);
    }
  }, [newer, changes.length]);
  const load = (v: VersionedProfile) => {
    setBase(v);
    setDraft(v.profile);
    setLoaded(null);
    setOutcome(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setOutcome(null);
    setLoaded(null);
    const res = await hub.command('profile:save', { mode, baseVersion: base.version, profile: draft, reason: reason.trim() }, { onQueued: (id) => setOutcome({ queued: id }) });
    setBusy(false);
    if (res.ok) {
      setBase(res.result.profile);
      setDraft(res.result.profile.profile);
      setReason('');
      setOutcome({ ok: true, version: res.result.profile.version });
      return;
    }
    setOutcome({ ok: false, code: res.error.code, issues: refusalIssues(res.error) });
  };

  const num = (path: NumPath) => {
    const b = boundsOf(path);
    const v = getNum(draft, path);
    return (
      <label key={path}>
        {describePath(t, path)}
        <input type="number" name={path} data-testid={`profile-field-${path}`} value={Number.isNaN(v) ? '' : v} step={path === 'demoIncidentsPerHour' ? 'any' : 1}
          min={b?.[0]} max={b?.[1]} onChange={(e) => setDraft(setNum(draft, path, numOf(e.target.value)))} />
        <span className="admin-hint">{b ? t('admin.profiles.range', { lo: b[0], hi: b[1] }) : ''}{SECONDS.has(path) && Number.isFinite(v) && v >= 60 ? ` ${t('admin.profiles.minutes', { n: Math.round((v / 60) * 10) / 10 })}` : ''}</span>
      </label>
    );
  };

  const label = pick(draft.label, i18n.language);
  return (
    <form className="admin-form admin-profile" onSubmit={save} data-testid="profile-editor" data-mode={mode} data-version={base.version}>
      <h3 data-testid="profile-version" data-version={current.version}>
        {label} · {t('admin.profiles.version', { version: current.version })} · <span className="muted">{who(current)}</span>
      </h3>
      <p className="muted">{t('admin.profiles.inForce')}</p>
      {newer && changes.length > 0 && (
        <p className="err" role="alert" data-testid="profile-newer">
          {t('admin.profiles.newer', { by: newer.by, version: newer.version, at: clock(newer.at, true), base: base.version })}{' '}
          <button type="button" onClick={() => load(newer)}>{t('admin.profiles.loadNewer', { version: newer.version })}</button>
        </p>
      )}
      {loaded && <p className="ok" role="status" data-testid="profile-live">{t('admin.profiles.live', { version: loaded.version, by: loaded.by, at: clock(loaded.at, true) })}</p>}
      <div className="admin-profile-body">
        <div className="admin-profile-fields">
          {GROUPS.map((g) => (
            <fieldset key={g.title} className="admin-fields">
              <legend>{t(`admin.profiles.${g.title}`)}</legend>
              {g.fields.map(num)}
            </fieldset>
          ))}

          <fieldset className="admin-fields" data-testid="profile-escalation">
            <legend>{t('admin.profiles.escalation')}</legend>
            {draft.escalation.map((s, i) => (
              <div key={i} className="admin-row">
                <span className="admin-step">{t('admin.profiles.step', { n: i + 1 })}</span>
                <label>{t('admin.profiles.stepRole')}
                  <select value={s.role} onChange={(e) => setDraft({ ...draft, escalation: draft.escalation.map((x, j) => (j === i ? { ...x, role: e.target.value as Role } : x)) })}>
                    {Role.options.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
                  </select>
                </label>
                <label>{t('admin.profiles.stepAfter')}
                  <input type="number" min={PROFILE_BOUNDS.escalationAfterSec[0]} max={PROFILE_BOUNDS.escalationAfterSec[1]} value={Number.isNaN(s.afterSec) ? '' : s.afterSec}
                    onChange={(e) => setDraft({ ...draft, escalation: draft.escalation.map((x, j) => (j === i ? { ...x, afterSec: numOf(e.target.value) } : x)) })} />
                </label>
                {draft.escalation.length > 1 && <button type="button" onClick={() => setDraft({ ...draft, escalation: draft.escalation.filter((_, j) => j !== i) })}>{t('admin.profiles.removeStep')}</button>}
              </div>
            ))}
            <div>
              <button type="button" onClick={() => setDraft({ ...draft, escalation: [...draft.escalation, { role: 'admin', afterSec: (draft.escalation.at(-1)?.afterSec ?? 0) + 60 }] })}>{t('admin.profiles.addStep')}</button>
            </div>
            {num('sosEscalateSec')}
          </fieldset>

          <fieldset className="admin-fields">
            <legend>{t('admin.profiles.other')}</legend>
            {num('demoIncidentsPerHour')}
            <label>{describePath(t, 'alarmSound')}
              <select value={draft.alarmSound} onChange={(e) => setDraft({ ...draft, alarmSound: e.target.value as ModeProfile['alarmSound'] })}>
                {(['chime', 'alert', 'siren'] as const).map((x) => <option key={x} value={x}>{t(`admin.profiles.sounds.${x}`)}</option>)}
              </select>
            </label>
            <label>{describePath(t, 'mapTheme')}
              <select value={draft.mapTheme} onChange={(e) => setDraft({ ...draft, mapTheme: e.target.value as ModeProfile['mapTheme'] })}>
                {(['dark', 'night'] as const).map((x) => <option key={x} value={x}>{t(`admin.profiles.themes.${x}`)}</option>)}
              </select>
            </label>
          </fieldset>

          <WallsEditor draft={draft} setDraft={setDraft} />
        </div>
        <aside className="admin-profile-side">
          <div data-testid="profile-diff">
            <h3>{t('admin.profiles.changes')}</h3>
            {changes.length === 0 ? <p className="muted">{t('admin.profiles.noChanges')}</p> : (
              <table className="admin-table">
                <thead><tr><th>{t('admin.profiles.field')}</th><th>{t('admin.profiles.before', { version: base.version })}</th><th>{t('admin.profiles.after')}</th></tr></thead>
                <tbody>
                  {changes.map((c) => (
                    <tr key={c.path} data-path={c.path}><td>{describePath(t, c.path)}</td><td>{describeValue(t, c.path, c.before)}</td><td>{describeValue(t, c.path, c.after)}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          {problems.length > 0 && (
            <div className="err" role="alert" data-testid="profile-problems">
              <p>{t('admin.profiles.problemsTitle')}</p>
              <ul>{problems.map((p) => <li key={p}>{p}</li>)}</ul>
            </div>
          )}
          <label>{t('admin.profiles.reason')}
            <input name="reason" data-testid="profile-reason" value={reason} maxLength={500} placeholder={t('admin.profiles.reasonHint')} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="admin-row">
            <button type="submit" className="primary" data-testid="profile-save" disabled={busy || changes.length === 0 || problems.length > 0 || reason.trim().length < 2}>
              {t('admin.profiles.save', { version: Math.max(base.version, current.version) + 1 })}
            </button>
            <button type="button" disabled={busy || changes.length === 0} onClick={() => load(current)}>{t('admin.profiles.discard')}</button>
          </div>
          <OutcomeText outcome={outcome} modeLabel={label} />
        </aside>
      </div>
    </form>
  );
}

function OutcomeText({ outcome, modeLabel }: { outcome: Outcome; modeLabel: string }) {
  const { t } = useTranslation();
  if (!outcome) return null;
  if ('queued' in outcome) return <p className="queued" role="status" data-testid="admin-result" data-outcome="queued">{t('panel.queued', { id: outcome.queued.slice(0, 8) })}</p>;
  if (outcome.ok) return <p className="ok" role="status" data-testid="admin-result" data-outcome="ok">{t('admin.profiles.saved', { version: outcome.version, mode: modeLabel })}</p>;
  return <p className="err" role="alert" data-testid="admin-result" data-outcome={outcome.code}>{refusalText(t, outcome.code, outcome.issues)}</p>;
}

/** The wall of every display, and the displays that have their own preset. */
function WallsEditor({ draft, setDraft }: { draft: ModeProfile; setDraft: (p: ModeProfile) => void }) {
  const { t } = useTranslation();
  const [displayId, setDisplayId] = useState('');
  const displays = Object.entries(draft.wallByDisplay ?? {});
  const setDisplay = (id: string, w: WallPreset | null) => {
    const next = { ...(draft.wallByDisplay ?? {}) };
    if (w) next[id] = w;
    else delete next[id];
    const { wallByDisplay: _old, ...rest } = draft;
    setDraft(Object.keys(next).length ? { ...rest, wallByDisplay: next } : rest);
  };
  const idOk = /^[A-Za-z0-9_.:-]{1,64}$/.test(displayId) && !(draft.wallByDisplay ?? {})[displayId];
  return (
    <fieldset className="admin-fields admin-walls" data-testid="profile-walls">
      <legend>{t('admin.profiles.wall')}</legend>
      <WallEditor name={t('admin.profiles.allDisplays')} testId="wall" preset={draft.wall} onChange={(w) => setDraft({ ...draft, wall: w })} />
      {displays.map(([id, w]) => (
        <WallEditor key={id} name={t('admin.profiles.display', { id })} testId={`wall-${id}`} preset={w} onChange={(x) => setDisplay(id, x)} onRemove={() => setDisplay(id, null)} />
      ))}
      <div className="admin-row">
        <label>{t('admin.profiles.displayId')}<input name="display-id" value={displayId} onChange={(e) => setDisplayId(e.target.value.trim())} /></label>
        <button type="button" disabled={!idOk} onClick={() => { setDisplay(displayId, { ...draft.wall }); setDisplayId(''); }}>{t('admin.profiles.addDisplay')}</button>
      </div>
    </fieldset>
  );
}

function WallEditor({ name, testId, preset, onChange, onRemove }: { name: string; testId: string; preset: WallPreset; onChange: (w: WallPreset) => void; onRemove?: () => void }) {
  const { t } = useTranslation();
  const cameras = useHub((s) => s.cameras);
  const fixed = useMemo(() => [...cameras.values()].sort((a, b) => Number(b.key) - Number(a.key) || a.id.localeCompare(b.id)), [cameras]);
  const tiles = LAYOUT_TILES[preset.layout];
  const chosen = preset.cameras === 'key' ? null : preset.cameras;
  const setTile = (i: number, id: string) => {
    const list = Array.from({ length: tiles }, (_, j) => (j === i ? id : chosen?.[j] ?? ''));
    onChange({ ...preset, cameras: list.filter(Boolean) });
  };
  return (
    <div className="admin-wall" data-testid={`profile-${testId}`}>
      <h4>{name}</h4>
      <div className="admin-row">
        <label>{t('admin.profiles.layout')}
          <select value={preset.layout} onChange={(e) => onChange({ ...preset, layout: e.target.value as WallPreset['layout'] })}>
            {LAYOUTS.map((l) => <option key={l} value={l}>{t(`admin.profiles.layouts.${l}`)}</option>)}
          </select>
        </label>
        <label className="grow">{t('admin.profiles.cameras')}
          <select value={chosen ? 'chosen' : 'key'} onChange={(e) => onChange({ ...preset, cameras: e.target.value === 'key' ? 'key' : [] })}>
            <option value="key">{t('admin.profiles.keyCameras')}</option>
            <option value="chosen">{t('admin.profiles.chosen')}</option>
          </select>
        </label>
        {onRemove && <button type="button" onClick={onRemove}>{t('admin.profiles.removeDisplay')}</button>}
      </div>
      {preset.covers && <p className="muted">{t('admin.profiles.covers', { areas: preset.covers.join(', ') })}</p>}
      {chosen && (
        <div className="admin-tiles">
          {Array.from({ length: tiles }, (_, i) => (
            <label key={i}>{t('admin.profiles.tile', { n: i + 1 })}
              <select value={chosen[i] ?? ''} onChange={(e) => setTile(i, e.target.value)}>
                <option value="" />
                {fixed.map((c) => <option key={c.id} value={c.id}>{c.id} · {c.name}</option>)}
                {chosen[i] && !cameras.has(chosen[i]!) && <option value={chosen[i]}>{chosen[i]} (?)</option>}
              </select>
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
