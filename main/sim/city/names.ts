// Chinese personal names for the demo officers: common surnames roughly by how often they occur,
// and everyday given names. Synthetic people; any match with a real person is chance.
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
/** Given names as people of working age in Jiangsu carry them, by gender so none reads oddly. */
const GIVEN_MALE = {
  single: ['伟', '强', '磊', '军', '勇', '杰', '涛', '明', '超', '刚', '平', '辉', '鹏', '华', '飞', '斌', '宇', '浩', '凯', '健', '俊', '旭', '宁', '龙', '林', '波', '亮', '峰', '鑫', '晨'],
  double: [
    '建国', '建华', '建军', '志强', '志刚', '志明', '海涛', '海峰', '海波', '晓东', '晓明', '晓峰', '文杰', '文斌', '俊杰', '国强', '国庆', '国平', '永刚', '永明',
    '立新', '立军', '新华', '春雷', '振华', '德明', '家俊', '家豪', '子豪', '浩然', '宇航', '天宇', '一鸣', '思远', '嘉伟', '卫东', '红兵', '金龙', '成龙', '云飞',
    '鹏飞', '明辉', '俊峰', '建平', '学军', '小兵', '正阳', '荣华', '少华', '振宇',
  ],
};
const GIVEN_FEMALE = {
  single: ['静', '敏', '燕', '艳', '丽', '娟', '霞', '芳', '婷', '雪', '琳', '颖', '倩', '玲', '慧', '莉', '洁', '红', '梅', '欣'],
  double: [
    '婷婷', '丹丹', '晓燕', '晓丽', '雪梅', '秀英', '桂英', '玉兰', '海燕', '红梅', '丽娟', '文静', '佳怡', '欣怡', '雨涵', '思琪', '梦婷', '晓雯', '雅琴', '春燕',
    '美玲', '慧敏', '佳琪', '诗雨', '若曦', '静怡', '丽华', '小红', '亚楠', '金凤',
  ],
};
/** Field officers in city management are mostly men. */
const FEMALE_SHARE = 0.2;

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
    const pool = rng.chance(FEMALE_SHARE) ? GIVEN_FEMALE : GIVEN_MALE;
    const given = rng.chance(0.3) ? rng.pick(pool.single) : rng.pick(pool.double);
    const name = surname(rng) + given;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}
