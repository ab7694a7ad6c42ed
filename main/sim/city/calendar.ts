// Shifts, the weekly roster and the public-holiday calendar the mode scheduler switches on.
import type { DemoCity, Holiday } from '../../../shared/city';
import type { Route, Unit } from '../../../shared/domain';
import { addDays } from '../../../shared/time';

type Shift = 'day' | 'evening' | 'night';

export const SHIFTS: DemoCity['shifts'] = {
  day: { start: '08:00', end: '16:00' },
  evening: { start: '16:00', end: '24:00' },
  night: { start: '00:00', end: '08:00' },
};

/** Five shifts and two consecutive rest days a week, the rest days staggered by `stagger` so the
 * grid is never emptied on one weekday. */
function week(shift: Shift, stagger: number): (Shift | null)[] {
  const rest = stagger % 7;
  return Array.from({ length: 7 }, (_, d) => (d === rest || d === (rest + 1) % 7 ? null : shift));
}

/** The first officer of each post holds it by day; the others cover the evening (night markets,
 * street stalls) and a few the night. Vehicles follow their route's modes. */
export function weeklyRoster(officers: Unit[], vehicles: Unit[], routes: Route[]): DemoCity['roster'] {
  const seenPost = new Map<string, number>();
  const roster: DemoCity['roster'] = officers.map((u, i) => {
    const nth = seenPost.get(u.postId ?? '') ?? 0;
    seenPost.set(u.postId ?? '', nth + 1);
    const shift: Shift = nth === 0 ? 'day' : nth % 3 === 2 ? 'night' : 'evening';
    return { unitId: u.id, week: week(shift, i) };
  });
  vehicles.forEach((v, i) => {
    const modes = routes.find((r) => r.id === v.routeId)?.modes ?? [];
    const shift: Shift = !modes.includes('daily') ? (modes.includes('night') ? 'night' : 'day') : modes.includes('night') && i % 2 === 1 ? 'evening' : 'day';
    roster.push({ unitId: v.id, week: week(shift, i * 3) });
  });
  return roster;
}

const NAMES: Record<string, { zh: string; en: string }> = {
  newYear: { zh: '元旦', en: "New Year's Day" },
  spring: { zh: '春节', en: 'Spring Festival' },
  qingming: { zh: '清明节', en: 'Qingming Festival' },
  labour: { zh: '劳动节', en: 'Labour Day' },
  dragonBoat: { zh: '端午节', en: 'Dragon Boat Festival' },
  midAutumn: { zh: '中秋节', en: 'Mid-Autumn Festival' },
  national: { zh: '国庆节', en: 'National Day' },
};

/** 2027 public holidays and make-up working days (调休上班). The State Council publishes the real
 * schedule late in the year before; these dates apply the rules of the holiday regulation
 * (全国年节及纪念日放假办法) as amended in 2024 — 春节 eight days from 除夕, 劳动节 five days, 国庆节 seven
 * days, 元旦/清明/端午/中秋 not moved by make-up days — to the 2027 lunar dates (除夕 5 Feb, 端午 9 Jun,
 * 中秋 15 Sep). They must be checked against the notice (resources/city/README.md). */
const HOLIDAYS_2027: [string, string, string][] = [
  ['newYear', '2027-01-01', '2027-01-03'],
  ['spring', '2027-02-05', '2027-02-12'],
  ['qingming', '2027-04-03', '2027-04-05'],
  ['labour', '2027-05-01', '2027-05-05'],
  ['dragonBoat', '2027-06-09', '2027-06-09'],
  ['midAutumn', '2027-09-15', '2027-09-15'],
  ['national', '2027-10-01', '2027-10-07'],
];
const WORKDAYS_2027: [string, string][] = [
  ['spring', '2027-01-31'],
  ['spring', '2027-02-13'],
  ['labour', '2027-04-25'],
  ['national', '2027-09-26'],
  ['national', '2027-10-09'],
];

export function holidays2027(): Holiday[] {
  const out: Holiday[] = [];
  for (const [key, from, to] of HOLIDAYS_2027) {
    // Calendar days, not instants: which instant a day begins is the center's zone's business (shared/time).
    for (let day = from; day <= to; day = addDays(day, 1)) out.push({ date: day, name: NAMES[key]!, workday: false });
  }
  for (const [key, date] of WORKDAYS_2027) {
    const n = NAMES[key]!;
    out.push({ date, name: { zh: `${n.zh}调休上班`, en: `${n.en} make-up workday` }, workday: true });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
