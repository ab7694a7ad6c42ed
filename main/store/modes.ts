// Mode profiles, versioned: the newest version of each mode is the one in force; old versions stay so
// that a past decision can be explained by the profile it used.
import { ModeProfile, type ModeProfiles, type VersionedProfile } from '../../shared/modes';
import type { ModeName } from '../../shared/domain';
import type { Db, ReadDb } from './db';

export function latestProfiles(db: ReadDb): Partial<Record<ModeName, VersionedProfile>> {
  const rows = db.prepare(
    'SELECT mode, version, profile, at, by FROM mode_profiles p WHERE version = (SELECT max(version) FROM mode_profiles q WHERE q.mode = p.mode)',
  ).all() as Array<{ mode: ModeName; version: number; profile: string; at: number; by: string }>;
  return Object.fromEntries(rows.map((r) => [r.mode, { version: r.version, profile: ModeProfile.parse(JSON.parse(r.profile)), by: r.by, at: r.at }]));
}

export function profileVersion(db: ReadDb, mode: ModeName, version: number): VersionedProfile | undefined {
  const r = db.prepare('SELECT profile, at, by FROM mode_profiles WHERE mode = ? AND version = ?').get(mode, version) as { profile: string; at: number; by: string } | undefined;
  return r && { version, profile: ModeProfile.parse(JSON.parse(r.profile)), by: r.by, at: r.at };
}

/** Adds a version of `profile` (validated) unless the newest version already says the same. */
export function addProfileVersion(db: Db, profile: ModeProfile, by: string, at: number): { version: number; added: boolean } {
  const parsed = ModeProfile.parse(profile);
  const text = JSON.stringify(parsed);
  const newest = db.prepare('SELECT version, profile FROM mode_profiles WHERE mode = ? ORDER BY version DESC LIMIT 1').get(parsed.mode) as
    | { version: number; profile: string } | undefined;
  if (newest && newest.profile === text) return { version: newest.version, added: false };
  const version = (newest?.version ?? 0) + 1;
  db.prepare('INSERT INTO mode_profiles (mode, version, profile, at, by) VALUES (?, ?, ?, ?, ?)').run(parsed.mode, version, text, at, by);
  return { version, added: true };
}

/** Seeds every mode that has no profile yet (a store's first start, or a mode added in a new release). */
export function seedProfiles(db: Db, profiles: ModeProfiles, at: number): ModeName[] {
  const have = latestProfiles(db);
  const added: ModeName[] = [];
  for (const p of Object.values(profiles)) {
    if (have[p.mode]) continue;
    addProfileVersion(db, p, 'system', at);
    added.push(p.mode);
  }
  return added;
}
