// The center's time does not depend on the machine's zone: this file runs with the process in New
// York (UTC-5/-4) and checks Shanghai (UTC+8) days and clocks, whose boundaries fall elsewhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, atCenterTime, centerClock, centerDay, centerTimeText, isTimeZone, readDay, startOfCenterDay, weekdayOf, zoneOffsetMs } from '../../shared/time';
import { DEFAULT_MODE_SCHEDULE, ModeSchedule, nextModeSwitch, scheduledModeAt, twilightOf } from '../../shared/modes';
import { runCommand } from '../../main/hub/commands';
import { consoleHandlers } from '../../main/hub/handlers/console';
import { nextId } from '../../main/hub/handlers/ids';
import { openStore } from '../../main/store/db';

process.env.TZ = 'America/New_York'; // Node applies a changed TZ to Date at once
const SH = 'Asia/Shanghai';
const utc = (iso: string) => Date.parse(iso);

describe('center time (Asia/Shanghai) on a machine in New York', () => {
  it('the machine really is in another zone (so nothing below can pass by accident)', () => {
    expect(new Date(utc('2026-12-31T16:30:00Z')).getDate()).toBe(31); // New York: still the 31st
    expect(new Date(utc('2026-07-01T12:00:00Z')).getTimezoneOffset()).toBe(240);
  });

  it('the center day turns at Shanghai midnight, not the machine\'s', () => {
    expect(centerDay(utc('2026-12-31T15:59:59Z'), SH)).toBe('2026-12-31');
    expect(centerDay(utc('2026-12-31T16:00:00Z'), SH)).toBe('2027-01-01');
    expect(startOfCenterDay(utc('2027-01-01T03:00:00Z'), SH)).toBe(utc('2026-12-31T16:00:00Z'));
    expect(startOfCenterDay(utc('2026-12-31T16:00:00Z'), SH)).toBe(utc('2026-12-31T16:00:00Z'));
  });

  it('clock times are read and placed in the center\'s zone', () => {
    expect(centerClock(utc('2027-02-05T12:00:00Z'), SH)).toMatchObject({ hour: 20, minute: 0, weekday: 4 }); // Friday 20:00
    expect(centerTimeText(utc('2026-12-31T16:00:05Z'), SH)).toBe('00:00:05');
    expect(atCenterTime('2027-02-05', '20:00', SH)).toBe(utc('2027-02-05T12:00:00Z'));
    expect(atCenterTime('2027-02-05', '24:00', SH)).toBe(utc('2027-02-05T16:00:00Z'));
    expect(() => atCenterTime('2027-02-05', '25:00', SH)).toThrow(RangeError);
    expect(zoneOffsetMs(Date.now(), SH)).toBe(8 * 3_600_000);
  });

  it('calendar arithmetic on days does not drift across month, year and leap days', () => {
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(weekdayOf('2027-01-01')).toBe(4); // a Friday
  });

  it('a zone with daylight saving: the skipped hour moves forward, the repeated hour takes its first occurrence', () => {
    const NY = 'America/New_York';
    expect(atCenterTime('2026-03-08', '02:30', NY)).toBe(utc('2026-03-08T07:30:00Z')); // 03:30 EDT
    expect(atCenterTime('2026-11-01', '01:30', NY)).toBe(utc('2026-11-01T05:30:00Z')); // 01:30 EDT, not EST
    expect(startOfCenterDay(utc('2026-03-08T12:00:00Z'), NY)).toBe(utc('2026-03-08T05:00:00Z'));
  });

  it('property: reading an instant in the center and placing that reading again gives the same minute', () => {
    fc.assert(fc.property(
      fc.integer({ min: utc('2000-01-01T00:00:00Z'), max: utc('2100-01-01T00:00:00Z') }),
      fc.constantFrom(SH, 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'UTC'),
      (t, tz) => {
        const c = centerClock(t, tz);
        const hhmm = `${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}`;
        expect(atCenterTime(centerDay(t, tz), hhmm, tz)).toBe(t - (((t % 60_000) + 60_000) % 60_000));
      },
    ), { numRuns: 500 });
  });

  it('knows real zone names from typos', () => {
    expect(isTimeZone(SH)).toBe(true);
    expect(isTimeZone('Asia/Shangai')).toBe(false);
  });
});

describe('the mode schedule, in the center\'s zone', () => {
  const schedule = { ...DEFAULT_MODE_SCHEDULE, holidays: ['2027-02-06'] };

  it('night from 20:00 to 06:00 Shanghai time, holiday mode by day on a listed holiday', () => {
    expect(scheduledModeAt(utc('2027-02-05T11:59:00Z'), SH, schedule)).toBe('daily'); // 19:59 Friday
    expect(scheduledModeAt(utc('2027-02-05T12:00:00Z'), SH, schedule)).toBe('night'); // 20:00
    expect(scheduledModeAt(utc('2027-02-05T21:59:00Z'), SH, schedule)).toBe('night'); // 05:59 on the 6th
    expect(scheduledModeAt(utc('2027-02-05T22:00:00Z'), SH, schedule)).toBe('holiday'); // 06:00 on the 6th
  });

  it('the next switch is the next boundary at which the mode changes', () => {
    expect(nextModeSwitch(utc('2027-02-05T04:00:00Z'), SH, schedule)).toEqual({ at: utc('2027-02-05T12:00:00Z'), mode: 'night' });
    expect(nextModeSwitch(utc('2027-02-05T12:00:00Z'), SH, schedule)).toEqual({ at: utc('2027-02-05T22:00:00Z'), mode: 'holiday' });
    expect(nextModeSwitch(utc('2027-02-05T12:00:00Z'), SH, DEFAULT_MODE_SCHEDULE)).toEqual({ at: utc('2027-02-05T22:00:00Z'), mode: 'daily' });
    expect(nextModeSwitch(0, SH, { nightFrom: '00:00', nightUntil: '00:00', holidays: [] })).toBeNull();
  });
});

describe('night from dusk to dawn at the center (Nanjing)', () => {
  const NANJING = { lat: 32.031, lng: 118.768 }; // resources/city/city.json center
  const sun = { sun: NANJING, holidays: ['2027-02-06'] };
  const local = (t: number) => centerTimeText(t, SH, false);

  it('follows the season: civil dusk about 19:42 at midsummer and 17:32 at midwinter, dawn 04:30 and 06:34', () => {
    const june = twilightOf('2027-06-21', SH, NANJING)!;
    const december = twilightOf('2027-12-22', SH, NANJING)!;
    expect([local(june.dawn), local(june.dusk)]).toEqual(['04:30', '19:42']);
    expect([local(december.dawn), local(december.dusk)]).toEqual(['06:34', '17:31']);
  });

  it('is night from the dusk instant until the dawn instant, then daily or the holiday', () => {
    const { dawn, dusk } = twilightOf('2027-02-05', SH, NANJING)!;
    const nextDawn = twilightOf('2027-02-06', SH, NANJING)!.dawn;
    expect(scheduledModeAt(dusk - 1, SH, sun)).toBe('daily');
    expect(scheduledModeAt(dusk, SH, sun)).toBe('night');
    expect(scheduledModeAt(dawn - 1, SH, sun)).toBe('night');
    expect(scheduledModeAt(nextDawn - 1, SH, sun)).toBe('night');
    expect(scheduledModeAt(nextDawn, SH, sun)).toBe('holiday');
    expect(nextModeSwitch(dawn + 1, SH, sun)).toEqual({ at: dusk, mode: 'night' });
    expect(nextModeSwitch(dusk, SH, sun)).toEqual({ at: nextDawn, mode: 'holiday' });
  });

  it('switches twice a day all year, night always from an evening to a morning', () => {
    let t = utc('2026-12-31T16:00:00Z');
    const seen: { at: number; mode: string }[] = [];
    while (t < utc('2027-12-31T16:00:00Z')) {
      const n = nextModeSwitch(t, SH, { sun: NANJING, holidays: [] })!;
      seen.push(n);
      t = n.at;
    }
    expect(seen.length).toBeGreaterThanOrEqual(729);
    for (const s of seen) {
      const hour = Number(local(s.at).slice(0, 2));
      if (s.mode === 'night') expect(hour === 17 || hour === 18 || hour === 19).toBe(true);
      else expect(hour >= 4 && hour <= 6).toBe(true);
    }
  });

  it('has no night where the sun never gets 6° below the horizon (far north in June)', () => {
    const tromso = { sun: { lat: 69.65, lng: 18.96 }, holidays: [] };
    expect(twilightOf('2027-06-21', 'Europe/Oslo', tromso.sun)).toBeNull();
    expect(scheduledModeAt(utc('2027-06-21T22:00:00Z'), 'Europe/Oslo', tromso)).toBe('daily');
  });

  it('is either fixed times or the sun, never both or neither', () => {
    expect(ModeSchedule.safeParse({ nightFrom: '20:00', nightUntil: '06:00', holidays: [] }).success).toBe(true);
    expect(ModeSchedule.safeParse({ sun: NANJING, holidays: [] }).success).toBe(true);
    expect(ModeSchedule.safeParse({ nightFrom: '20:00', nightUntil: '06:00', sun: NANJING, holidays: [] }).success).toBe(false);
    expect(ModeSchedule.safeParse({ holidays: [] }).success).toBe(false);
    expect(ModeSchedule.safeParse({ nightFrom: '20:00', sun: NANJING, holidays: [] }).success).toBe(false);
  });
});

describe('readable ids', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-time-'));
  const db = openStore(dir);
  afterAll(() => db.close());

  it('are numbered by the center\'s day: 00:30 in Shanghai is already the new day there', () => {
    const create = (at: number, commandId: string) => runCommand(db, consoleHandlers({ dataDir: dir })['incident:create'], { id: 'operator', role: 'operator' }, {
      commandId, category: 'parking', priority: 2, position: [118.78, 32.04], description: 'x',
    }, at, { timeZone: SH }).ack;
    expect(create(utc('2026-12-31T15:30:00Z'), 'cmd-time-0001')).toMatchObject({ ok: true, result: { incident: { id: 'I20261231-0001' } } });
    expect(create(utc('2026-12-31T16:30:00Z'), 'cmd-time-0002')).toMatchObject({ ok: true, result: { incident: { id: 'I20270101-0001' } } });
  });

  it('go on past the 9,999th of a day without repeating one (the padding is four digits)', () => {
    // The check-in table stands in for a busy day: 10,000 rows of one day, then the next two ids.
    const stem = 'C20270202-';
    // Only the ids matter here: the rows name no real unit or post.
    db.pragma('foreign_keys = OFF');
    const insert = db.prepare('INSERT INTO check_ins (id, unit_id, post_id, lng, lat, at, on_site) VALUES (?, ?, ?, 0, 0, 0, 1)');
    const day = utc('2027-02-02T04:00:00Z');
    expect(nextId(db, 'C', day, SH)).toBe(`${stem}0001`);
    db.transaction(() => { for (let n = 1; n <= 9_999; n++) insert.run(`${stem}${String(n).padStart(4, '0')}`, 'u', 'p'); })();
    expect(nextId(db, 'C', day, SH)).toBe(`${stem}10000`);
    insert.run(`${stem}10000`, 'u', 'p');
    expect(nextId(db, 'C', day, SH)).toBe(`${stem}10001`);
    // Not taken (its command was refused): offered again, not skipped.
    expect(nextId(db, 'C', day, SH)).toBe(`${stem}10001`);
    // Taken by someone else meanwhile, past the number last handed out: the next free one.
    for (let n = 10_001; n <= 10_037; n++) insert.run(`${stem}${n}`, 'u', 'p');
    expect(nextId(db, 'C', day, SH)).toBe(`${stem}10038`);
    insert.run(`${stem}10038`, 'u', 'p');
    expect(nextId(db, 'C', day, SH)).toBe(`${stem}10039`);
    db.pragma('foreign_keys = ON');
  });
});

describe('readDay', () => {
  it('reads a typed day, with or without leading zeros, and refuses one that does not exist', () => {
    expect(readDay('2027-03-08')).toBe('2027-03-08');
    expect(readDay(' 2027-3-8 ')).toBe('2027-03-08');
    expect(readDay('2028-02-29')).toBe('2028-02-29');
    for (const bad of ['2027-02-29', '2026-02-30', '2027-13-01', '2027-00-10', '2027-04-31', '03/08/2027', '2027-03-08T00:00', '']) expect(readDay(bad), bad).toBeNull();
  });
});
