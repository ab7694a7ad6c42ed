// Operating-mode profiles: data, not code. A mode decides the wall, the routes, staffing, check-ins,
// task deadlines and how the map looks. Cameras and routes are named by the demo city's ids; a real
// center edits these profiles (admin), the hub reads them.
import { z } from 'zod';
import { ModeName, Role } from './domain';

export const ModeProfile = z.object({
  mode: ModeName,
  label: z.object({ zh: z.string(), en: z.string() }),
  /** officers each grid cell needs on duty */
  minStaffPerCell: z.number().int().min(0),
  /** how often a post holder must check in, minutes */
  checkInIntervalMin: z.number().int().positive(),
  /** a task must be accepted within this many seconds, and the unit on site within arriveSec */
  taskAckSec: z.number().int().positive(),
  taskArriveSec: z.number().int().positive(),
  /** who is alerted, in order, when a deadline passes */
  escalation: z.array(Role),
  /** incidents per hour the demo simulator generates in this mode */
  demoIncidentsPerHour: z.number().min(0),
  /** the wall layout and which tile shows which camera ('key' means: the key cameras, in order) */
  wall: z.object({ layout: z.enum(['1', '4', '9', '16', '1+5', '1+7']), cameras: z.union([z.literal('key'), z.array(z.string())]) }),
  mapTheme: z.enum(['dark', 'night']),
  alarmSound: z.enum(['chime', 'alert', 'siren']),
});
export type ModeProfile = z.infer<typeof ModeProfile>;

export const MODE_PROFILES: Record<ModeName, ModeProfile> = {
  daily: {
    mode: 'daily', label: { zh: '日常', en: 'Daily' },
    minStaffPerCell: 1, checkInIntervalMin: 60, taskAckSec: 180, taskArriveSec: 1200,
    escalation: ['operator', 'duty_manager'], demoIncidentsPerHour: 40,
    wall: { layout: '9', cameras: 'key' }, mapTheme: 'dark', alarmSound: 'chime',
  },
  night: {
    mode: 'night', label: { zh: '夜间', en: 'Night' },
    minStaffPerCell: 0, checkInIntervalMin: 30, taskAckSec: 240, taskArriveSec: 1500,
    escalation: ['operator', 'duty_manager'], demoIncidentsPerHour: 12,
    wall: { layout: '16', cameras: 'key' }, mapTheme: 'night', alarmSound: 'alert',
  },
  holiday: {
    mode: 'holiday', label: { zh: '节假日', en: 'Holiday' },
    minStaffPerCell: 2, checkInIntervalMin: 30, taskAckSec: 120, taskArriveSec: 900,
    escalation: ['operator', 'duty_manager'], demoIncidentsPerHour: 80,
    wall: { layout: '1+7', cameras: 'key' }, mapTheme: 'dark', alarmSound: 'chime',
  },
  emergency: {
    mode: 'emergency', label: { zh: '应急', en: 'Emergency' },
    minStaffPerCell: 2, checkInIntervalMin: 15, taskAckSec: 60, taskArriveSec: 600,
    escalation: ['operator', 'duty_manager', 'admin'], demoIncidentsPerHour: 120,
    wall: { layout: '16', cameras: 'key' }, mapTheme: 'dark', alarmSound: 'siren',
  },
};
