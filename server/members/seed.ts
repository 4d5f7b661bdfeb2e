/**
 * Demo membership data for the seeded bank-app users: profiles with a bound phone, a verified
 * real name (stored as tokens only), addresses and invoice titles. Idempotent: profiles and
 * identities are upserted to the same values; address books are filled only when empty.
 */
import type { Store } from '../store/types.ts';
import type { Members } from './members.ts';

interface DemoMember {
  nickName: string;
  province: string;
  city: string;
  phone: string;
  realName: { name: string; idNumber: string; level: 'basic' | 'strong' };
  addresses: Record<string, string>[];
  invoiceTitles: Record<string, string>[];
}

/** Demo data by username (the users of `server/seed.ts`). The id numbers are fictitious. */
export const DEMO_MEMBERS: Readonly<Record<string, DemoMember>> = {
  alice: {
    nickName: '小花',
    province: '上海',
    city: '上海',
    phone: '13800138000',
    realName: { name: '李小花', idNumber: '31010119900307002X', level: 'strong' },
    addresses: [
      { recipientName: '李小花', phoneNumber: '13800138000', province: '上海市', city: '上海市', district: '黄浦区', detail: '人民大道200号 8楼', postalCode: '200003' },
      { recipientName: '李小花', phoneNumber: '13800138000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道100号 21楼', postalCode: '200120' },
    ],
    invoiceTitles: [
      { type: 'personal', title: '李小花' },
      { type: 'company', title: '上海百合科技有限公司', taxNumber: '91310000MA1K3XYZ2A' },
    ],
  },
  bob: {
    nickName: '大明',
    province: '北京',
    city: '北京',
    phone: '13900139000',
    realName: { name: '王大明', idNumber: '110101198805120031', level: 'basic' },
    addresses: [{ recipientName: '王大明', phoneNumber: '13900139000', province: '北京市', city: '北京市', district: '朝阳区', detail: '建国路88号 3号楼', postalCode: '100022' }],
    invoiceTitles: [{ type: 'personal', title: '王大明' }],
  },
};

/**
 * Seeds the demo membership data for the users given by username → user id.
 *
 * @example
 * ```ts
 * await seedMemberDemo(store, members, { alice: alice._id, bob: bob._id });
 * ```
 */
export async function seedMemberDemo(store: Store, members: Members, users: Readonly<Record<string, string>>, at = Date.now()): Promise<void> {
  await members.init(store);
  for (const [username, userId] of Object.entries(users)) {
    const demo = DEMO_MEMBERS[username];
    if (!demo) continue;
    await members.profiles.saveProfile(store, userId, { nickName: demo.nickName, province: demo.province, city: demo.city, phone: demo.phone }, at);
    await members.profiles.recordRealName(store, userId, demo.realName, at);
    await members.addresses.seed(store, userId, demo.addresses, at);
    await members.invoiceTitles.seed(store, userId, demo.invoiceTitles, at);
  }
}
