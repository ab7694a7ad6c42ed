// Words the screens put where a person reads them, where the walk through every role (4 Dec) found ids,
// codes or the hub's English instead: a unit typed by name in the evaluator's replay, a read that failed,
// a recommendation's own cell or post, the system's and the devices' audit entries, the holiday calendar's count.
import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import type { Area, Unit } from '../../shared/domain';
import { resources } from '../../renderer/src/i18n/resources';
import { requestErrorText } from '../../renderer/src/common/errors';
import { reasonText } from '../../renderer/src/console/reasons';
import { unitFromInput } from '../../renderer/src/evaluator/unit-input';

async function translator(lng: 'en' | 'zh-CN') {
  const i18n = i18next.createInstance();
  await i18n.init({ resources, lng, interpolation: { escapeValue: false } });
  return i18n.t;
}

const unit = (id: string, name: string, more: Partial<Unit> = {}): Unit => ({
  id, kind: 'officer', name, badge: null, plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: 'on_post', ...more,
});

describe('words instead of ids and codes', () => {
  it('finds the unit an evaluator typed by its id, name, badge or plate, and says when none or several match', () => {
    const units = new Map([
      unit('off-001', '李春雷', { badge: 'NJ320106-4178' }), unit('off-002', '王杰'), unit('off-003', '王杰'),
      unit('veh-01', '巡查车01', { kind: 'vehicle', plate: '苏A·12345' }),
    ].map((u) => [u.id, u] as const));
    expect(unitFromInput(units, ' off-002 ')).toEqual({ unitId: 'off-002' });
    expect(unitFromInput(units, '李春雷')).toEqual({ unitId: 'off-001' });
    expect(unitFromInput(units, 'NJ320106-4178')).toEqual({ unitId: 'off-001' });
    expect(unitFromInput(units, '苏A·12345')).toEqual({ unitId: 'veh-01' });
    expect(unitFromInput(units, '王杰')).toEqual({ problem: 'several', count: 2 });
    expect(unitFromInput(units, '无此人')).toEqual({ problem: 'none', count: 0 });
  });

  it.each(['en', 'zh-CN'] as const)('in %s: a failed read by its code, a reason by its area\'s name, every audit role, the holidays counted', async (lng) => {
    const t = await translator(lng);
    // hub.request rejects with "<code>: <the hub's English>": the code is worded, the English never shown
    expect(requestErrorText(t, 'invalid_payload: unitId: ids use letters, digits and _ . : -')).toBe(t('errors.invalid_payload'));
    expect(requestErrorText(t, 'operation has timed out')).toBe(t('errors.timeout'));
    expect(requestErrorText(t, 'Web Crypto is not available')).toBe('Web Crypto is not available');

    const areas = new Map<string, Area>([['cell-01-04', { id: 'cell-01-04', kind: 'cell', name: '汉中门-01-04' } as Area]]);
    const own = reasonText(t, { key: 'recommend.own_cell', params: { cell: 'cell-01-04' } }, areas);
    expect(own).toContain('汉中门-01-04');
    expect(own).not.toContain('cell-01-04');
    expect(reasonText(t, { key: 'recommend.own_post', params: { post: 'post-gone' } }, areas)).toContain('post-gone');

    // every role an audit entry carries (the hub's system actor and field devices too)
    for (const role of ['operator', 'duty_manager', 'evaluator', 'admin', 'system', 'device']) {
      expect(t(`roles.${role}`, { defaultValue: '' })).not.toBe('');
    }
    expect(t('roles.system')).not.toBe('system');

    // the calendar's title counts holidays, not days
    expect(t('calendar.title', { n: 28 })).toBe(lng === 'en' ? 'Holiday calendar (28 holidays ahead)' : '节假日日历（今后共 28 个假日）');

    // the mode dialog's reason hint fits the mode chosen (it was the emergency's example for all four)
    const hints = ['daily', 'night', 'holiday', 'emergency'].map((m) => t(`modeSwitch.reasonHints.${m}`, { defaultValue: '' }));
    expect(hints.every((h) => h !== '')).toBe(true);
    expect(new Set(hints).size).toBe(4);
  });
});
