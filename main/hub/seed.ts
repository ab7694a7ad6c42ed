// Seeding a store: the demo city (users, areas, routes, units, cameras, the simulator's gateway device)
// and the first operating mode. Seeding is itself audited.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DemoCity, type DemoCity as DemoCityT } from '../../shared/city';
import type { ModeChange, Role, Unit } from '../../shared/domain';
import { INITIAL_MODE_REASON, MODE_PROFILES } from '../../shared/modes';
import { appendAudit } from '../store/audit';
import { insertArea, insertRoute, insertUnit, listUnits, upsertCamera } from '../store/city';
import type { Db } from '../store/db';
import { countUsers, findDevice, insertDevice, insertUser } from '../store/people';
import { seedProfiles } from '../store/modes';
import { seedCalendar } from '../store/calendar';
import type { CalendarDay } from '../../shared/calendar';
import { currentMode, insertModeChange } from '../store/operations';
import { hashSecretSync } from './auth';

export const DEMO_PASSWORD = 'demo';
export const DEMO_USERS: ReadonlyArray<{ username: string; role: Role }> = [
  { username: 'operator', role: 'operator' },
  { username: 'manager', role: 'duty_manager' },
  { username: 'evaluator', role: 'evaluator' },
  { username: 'admin', role: 'admin' },
];
export const SIM_DEVICE = { id: 'sim-gateway', secret: 'demo' } as const;
export const CITY_FILE = new URL('../../resources/city/city.json', import.meta.url);

export function loadDemoCity(file: URL | string = CITY_FILE): DemoCityT {
  return DemoCity.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/**
 * Every store has a profile for each mode (seeded from resources/modes/profiles.json, each seeding
 * audited) and starts in daily mode, so "the mode in force" is always defined.
 */
export function ensureInitialMode(db: Db, now: number): void {
  db.transaction(() => {
    for (const mode of seedProfiles(db, MODE_PROFILES, now)) {
      appendAudit(db, { actor: 'system', role: 'system', action: 'mode:profile', target: mode, payload: { mode, version: 1, source: 'resources/modes/profiles.json' }, outcome: 'accepted', reason: null, at: now });
    }
    if (currentMode(db)) return;
    const change: ModeChange = { mode: 'daily', reason: INITIAL_MODE_REASON, areaId: null, by: 'system', at: now, kind: 'switch', from: null, endsAt: null, profileVersion: 1 };
    insertModeChange(db, change);
    appendAudit(db, { actor: 'system', role: 'system', action: 'mode:switch', target: 'daily', payload: change, outcome: 'accepted', reason: null, at: now });
  })();
}

/** Seeds the demo city once; a store that already holds units is left as it is. */
export function seedDemo(db: Db, city: DemoCityT, extraUnits: Unit[], now: number): { seeded: boolean } {
  const existing = new Set(listUnits(db).map((u) => u.id));
  if (existing.size > 0) {
    // A later start may ask for more load units than the first did.
    const missing = extraUnits.filter((u) => !existing.has(u.id));
    if (missing.length) db.transaction(() => missing.forEach((u) => insertUnit(db, u)))();
    return { seeded: false };
  }
  db.transaction(() => {
    if (countUsers(db) === 0) {
      const passwordHash = hashSecretSync(DEMO_PASSWORD);
      for (const u of DEMO_USERS) insertUser(db, { id: `u-${randomUUID()}`, username: u.username, role: u.role, passwordHash, at: now });
    }
    // Parents before children: districts, then cells, then posts.
    for (const kind of ['district', 'cell', 'post'] as const) city.areas.filter((a) => a.kind === kind).forEach((a) => insertArea(db, a));
    city.routes.forEach((r) => insertRoute(db, r));
    [...city.units, ...extraUnits].forEach((u) => insertUnit(db, u));
    city.cameras.forEach((c) => upsertCamera(db, c));
    if (!findDevice(db, SIM_DEVICE.id)) {
      insertDevice(db, { id: SIM_DEVICE.id, secretHash: hashSecretSync(SIM_DEVICE.secret), kind: 'gateway', unitId: null, at: now });
    }
    appendAudit(db, {
      actor: 'system', role: 'system', action: 'city:seed', target: 'demo',
      payload: { seed: city.seed, areas: city.areas.length, routes: city.routes.length, units: city.units.length + extraUnits.length, cameras: city.cameras.length },
      outcome: 'accepted', reason: null, at: now,
    });
  })();
  return { seeded: true };
}

/**
 * A store's first holiday calendar, once (later it is data edited by calendar:add / calendar:remove):
 * the demo city's public holidays, marked estimated (shipped dates worked out from the holiday rules,
 * resources/city/README.md), and the dates the hub's mode schedule was configured with. Audited.
 */
export function ensureCalendar(db: Db, city: DemoCityT | null, configured: readonly string[], now: number): number {
  const days = new Map<string, CalendarDay>();
  for (const date of configured) days.set(date, { date, name: { zh: '节假日', en: 'Holiday' }, estimated: false, by: 'system', at: now });
  for (const h of city?.holidays ?? []) {
    if (!h.workday) days.set(h.date, { date: h.date, name: h.name, estimated: true, by: 'system', at: now });
  }
  return db.transaction(() => {
    const n = seedCalendar(db, [...days.values()]);
    if (n > 0) {
      appendAudit(db, { actor: 'system', role: 'system', action: 'calendar:seed', target: 'holidays', payload: { days: n, source: city ? 'demo city' : 'hub configuration' }, outcome: 'accepted', reason: null, at: now });
    }
    return n;
  })();
}
