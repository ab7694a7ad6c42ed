// `profile:save` (admin): a mode's profile, edited whole, becomes a new version; the old ones stay, so
// every past switch and rule decision can still be explained by the version it used. Rules read the
// newest version of a mode at each decision (modes.ts effectiveMode → profilesInForce), so a mode in
// force — city-wide or an area emergency — follows the new version from the next decision on; a switch
// row keeps the version it was made with, and each decision's audit entry names the one it used.
import { consoleCommands } from '../../../shared/protocol/commands';
import { profileChanges, profileIssues, type VersionedProfile } from '../../../shared/modes';
import { listCameras } from '../../store/city';
import { addProfileVersion } from '../../store/modes';
import { CommandFailure, type CommandDef } from '../commands';
import { profilesInForce } from '../modes';

const C = consoleCommands;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

export const profileHandlers = {
  'profile:save': def('profile:save', ({ db, now, actor }, p) => {
    const current = profilesInForce(db)[p.mode];
    if (p.baseVersion !== current.version) {
      throw new CommandFailure('conflict',
        `stale_version: the ${p.mode} profile was edited from version ${p.baseVersion}, but ${current.by} has saved version ${current.version} since: read it again and redo the edit`,
        [{ code: 'profile_stale', params: { base: p.baseVersion, by: current.by, version: current.version } }]);
    }
    const issues = profileIssues(p.mode, p.profile, new Set(listCameras(db).map((c) => c.id)));
    // Each problem as an issue (profile_<problem>, with the field it is in) for the screen to word.
    if (issues.length > 0) {
      throw new CommandFailure('invalid_payload', `${issues[0]!.problem}: ${issues.map((i) => i.message).join('; ')}`,
        issues.map((i) => ({ code: `profile_${i.problem}`, params: { path: i.path } })));
    }
    const changes = profileChanges(current.profile, p.profile);
    if (changes.length === 0) {
      throw new CommandFailure('invalid_payload', `unchanged: the profile is the same as version ${current.version}`, [{ code: 'profile_unchanged', params: { version: current.version } }]);
    }
    const { version } = addProfileVersion(db, p.profile, actor.id, now);
    const saved: VersionedProfile = { version, profile: p.profile, by: actor.id, at: now };
    return {
      result: { profile: saved }, target: p.mode,
      events: [{ data: { type: 'profile:updated' as const, profile: saved, reason: p.reason }, unitId: null }],
      detail: { baseVersion: p.baseVersion, version, changes, before: current.profile, after: p.profile },
    };
  }),
};
