// Chinese personal names for the demo officers: common surnames roughly by how often they occur,
// and everyday given-name characters. Synthetic people; any match with a real person is chance.
import type { Rng } from './rng';

/** [surname, relative frequency] — the most common surnames, weighted like the population. */
const SURNAMES: [string, number][] = [
  ['王', 74], ['李', 72], ['张', 70], ['刘', 55], ['陈', 47], ['杨', 33], ['黄', 25], ['赵', 22], ['吴', 21], ['周', 21],
  ['徐', 17], ['孙', 16], ['马', 15], ['朱', 14], ['胡', 13], ['郭', 12], ['何', 12], ['高', 11], ['林', 11], ['罗', 10],
  ['郑', 10], ['梁', 9], ['谢', 8], ['宋', 7], ['唐', 7], ['许', 7], ['韩', 7], ['冯', 6], ['邓', 6], ['曹', 6],
  ['彭', 5], ['曾', 5], ['肖', 5], ['田', 5], ['董', 5], ['袁', 4], ['潘', 4], ['于', 4], ['蒋', 4], ['蔡', 4],
  ['余', 4], ['杜', 3], ['叶', 3], ['程', 3], ['苏', 3], ['魏', 3], ['吕', 3], ['丁', 3], ['任', 3], ['沈', 3],
  ['姚', 2], ['卢', 2], ['姜', 2], ['崔', 2], ['钟', 2], ['谭', 2], ['陆', 2], ['汪', 2], ['范', 2], ['金', 2],
];
const GIVEN = [
  '伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '明', '超', '刚', '平', '辉', '鹏', '华', '飞', '斌', '宇', '浩', '凯',
  '健', '俊', '帆', '帅', '旭', '宁', '龙', '林', '波', '亮', '峰', '建', '文', '志', '海', '东', '晨', '阳', '博', '鑫',
  '静', '敏', '燕', '艳', '丽', '娟', '霞', '芳', '婷', '雪', '琳', '颖', '倩', '玲', '慧', '莉', '洁', '红', '梅', '欣',
  '国', '新', '春', '正', '永', '立', '金', '成', '振', '德', '家', '荣', '子', '思', '嘉', '晓', '佳', '雨', '天', '一',
];

const totalWeight = SURNAMES.reduce((s, [, w]) => s + w, 0);

function surname(rng: Rng): string {
  let r = rng.next() * totalWeight;
  for (const [name, w] of SURNAMES) {
    r -= w;
    if (r < 0) return name;
  }
  return SURNAMES[0]![0];
}

/** A full name such as 王伟 or 陈晓东; unique within `taken`, which it updates. */
export function personName(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const given = rng.chance(0.25) ? rng.pick(GIVEN) : rng.pick(GIVEN) + rng.pick(GIVEN);
    const name = surname(rng) + given;
    if (given.length === 2 && given[0] === given[1]) continue;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}
