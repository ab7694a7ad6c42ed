// The holiday calendar in the duty manager's mode dialog: the days holiday mode holds on (estimated
// shipped dates marked as such), and — for those who may switch modes — adding, confirming and removing
// days with a reason. Every edit names the version read here; if someone else edited in between the hub
// refuses it (conflict) and the list is read again, so nobody undoes another's edit unseen.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarDay, HolidayCalendar } from '../../../shared/calendar';
import { centerDay, readDay } from '../../../shared/time';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { OutcomeLine, useCommand } from '../common/commands';

/** The calendar as the hub has it: read once, then replaced by each `calendar:changed`. */
function useCalendar(): [HolidayCalendar | null | 'failed', () => void] {
  const [calendar, setCalendar] = useState<HolidayCalendar | null | 'failed'>(null);
  const load = useCallback(() => {
    hub.request('calendar:list', {}).then(setCalendar, () => setCalendar('failed'));
  }, []);
  useEffect(() => {
    load();
    return hub.onEvent((e) => { if (e.data.type === 'calendar:changed') setCalendar(e.data.calendar); });
  }, [load]);
  return [calendar, load];
}

/** `canEdit`: the viewer may switch modes (duty manager, admin); the hub enforces the same. */
export function HolidayCalendarSection({ canEdit }: { canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const timeZone = useHub((s) => s.timeZone);
  const [calendar, reload] = useCalendar();
  const [showPast, setShowPast] = useState(false);
  const [reason, setReason] = useState('');
  const [date, setDate] = useState('');
  const [nameZh, setNameZh] = useState('');
  const [nameEn, setNameEn] = useState('');
  const [outcome, busy, run] = useCommand();

  if (calendar === null) return <p className="hint" data-testid="calendar-loading">{t('calendar.loading')}</p>;
  if (calendar === 'failed') return <p className="hint" data-testid="calendar-failed">{t('calendar.failed')} <button type="button" onClick={reload}>{t('calendar.retry')}</button></p>;

  const today = centerDay(hub.hubNow(), timeZone);
  const upcoming = calendar.days.filter((d) => d.date >= today);
  const shown = showPast ? calendar.days : upcoming;
  const reasonOk = reason.trim().length >= 2;
  const edit = async (send: Parameters<typeof run>[0]) => {
    const done = await run(send);
    if (done === null) reload(); // a conflict (someone else edited) or another refusal: show what the hub has now
    return done;
  };
  const put = (d: Pick<CalendarDay, 'date' | 'name' | 'estimated'>) =>
    edit((o) => hub.command('calendar:add', { baseVersion: calendar.version, reason: reason.trim(), ...d }, o));
  const remove = (d: CalendarDay) => edit((o) => hub.command('calendar:remove', { baseVersion: calendar.version, date: d.date, reason: reason.trim() }, o));
  // Typed as every date on the console is shown (a date input is drawn in the browser's locale).
  const day = readDay(date);
  const add = async () => {
    if (day && await put({ date: day, name: { zh: nameZh.trim(), en: nameEn.trim() || nameZh.trim() }, estimated: false })) {
      setDate(''); setNameZh(''); setNameEn('');
    }
  };

  return (
    <details className="holiday-calendar" data-testid="holiday-calendar" data-version={calendar.version}>
      <summary>{t('calendar.title', { n: upcoming.length })}</summary>
      <p className="hint">{t('calendar.explain')}</p>
      <label className="inline"><input type="checkbox" checked={showPast} onChange={(e) => setShowPast(e.target.checked)} /> {t('calendar.showPast')}</label>
      <ul className="calendar-days">
        {shown.length === 0 && <li className="hint">{t('calendar.none')}</li>}
        {shown.map((d) => (
          <li key={d.date} data-date={d.date} className={d.date < today ? 'past' : ''}>
            <span className="date">{d.date}</span>
            <span>{pick(d.name, i18n.language)}</span>
            {d.estimated && <span className="badge estimated" title={t('calendar.estimatedHint')}>{t('calendar.estimated')}</span>}
            {canEdit && d.estimated && (
              <button type="button" data-testid="calendar-confirm" disabled={!reasonOk || busy} onClick={() => put({ date: d.date, name: d.name, estimated: false })}>{t('calendar.confirm')}</button>
            )}
            {canEdit && <button type="button" data-testid="calendar-remove" disabled={!reasonOk || busy} onClick={() => remove(d)}>{t('calendar.remove')}</button>}
          </li>
        ))}
      </ul>
      {canEdit && (
        <div className="calendar-edit">
          <label className="field">
            {t('calendar.reason')}
            <input data-testid="calendar-reason" value={reason} maxLength={500} placeholder={t('calendar.reasonHint')} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="calendar-add">
            <input data-testid="calendar-date" aria-label={t('calendar.date')} placeholder="YYYY-MM-DD" inputMode="numeric" spellCheck={false} size={11} value={date}
              aria-invalid={(date.trim() !== '' && !day) || undefined} title={date.trim() !== '' && !day ? t('calendar.notADay') : undefined} onChange={(e) => setDate(e.target.value)} />
            <input data-testid="calendar-name-zh" aria-label={t('calendar.nameZh')} placeholder={t('calendar.nameZh')} maxLength={60} value={nameZh} onChange={(e) => setNameZh(e.target.value)} />
            <input data-testid="calendar-name-en" aria-label={t('calendar.nameEn')} placeholder={t('calendar.nameEn')} maxLength={60} value={nameEn} onChange={(e) => setNameEn(e.target.value)} />
            <button type="button" data-testid="calendar-add" disabled={!reasonOk || busy || !day || !nameZh.trim()} onClick={add}>{t('calendar.add')}</button>
          </div>
          {date.trim() !== '' && !day && <p className="hint err" role="alert" data-testid="calendar-date-problem">{t('calendar.notADay')}</p>}
          <p className="hint">{t('calendar.replans')}</p>
        </div>
      )}
      <OutcomeLine outcome={outcome} />
    </details>
  );
}
