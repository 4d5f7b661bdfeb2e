/**
 * The platform FAQ that `base.support` indexes together with the capability docs. Questions and
 * answers are in Chinese (the UI language); `also` holds other phrasings, in Chinese or English,
 * that should find the same answer.
 */

/** One FAQ entry. */
export interface FaqEntry {
  /** Stable anchor, kebab-case. */
  readonly id: string;
  readonly question: string;
  readonly also: readonly string[];
  /** Plain text, at most 800 characters. */
  readonly answer: string;
  /** The capability the answer is about, if any (links to its page). */
  readonly capabilityId?: string;
}

/** The FAQ, most asked first. */
export const FAQ: readonly FaqEntry[] = [
  {
    id: 'refund-arrival',
    question: '退款多久到账？',
    also: ['退款什么时候到', '钱什么时候退回来', 'when will my refund arrive', 'refund time'],
    answer: '退款原路退回：钱包余额即时到账，银行卡一般 1–3 个工作日。可在“订单”里查看退款进度。',
    capabilityId: 'payment.refund',
  },
  {
    id: 'paid-but-unpaid',
    question: '付款成功但商家显示未支付怎么办？',
    also: ['已经扣款但订单未支付', '支付成功订单状态没变', 'paid but the merchant says unpaid', 'payment notification'],
    answer: '商家会在几分钟内收到支付通知；若仍未更新，请联系人工客服并提供订单号。重复付款会自动退回。',
    capabilityId: 'payment.notify',
  },
  {
    id: 'invoice',
    question: '怎么开发票？',
    also: ['开具发票', '发票抬头怎么填', 'how do I get an invoice', 'invoice title'],
    answer: '在商家小程序的订单页申请发票，选择已保存的发票抬头即可；发票由商家开具。',
    capabilityId: 'member.invoice',
  },
  {
    id: 'revoke-consent',
    question: '怎么取消对小程序的授权？',
    also: ['撤销授权', '关闭手机号授权', '不想让小程序获取位置', 'revoke permission', 'withdraw consent'],
    answer: '打开“我的 → 设置 → 小程序授权”，选择小程序后关闭对应权限，立即生效；小程序再次使用时会重新询问。',
    capabilityId: 'member.authorize',
  },
  {
    id: 'why-phone',
    question: '为什么小程序要获取我的手机号？',
    also: ['手机号授权', '拒绝提供手机号', 'why does the app want my phone number'],
    answer: '小程序会在授权弹窗里说明用途。你可以拒绝，拒绝后仍可使用不需要手机号的功能；手机号以加密方式只提供给该小程序。',
    capabilityId: 'member.phone',
  },
  {
    id: 'pin-locked',
    question: '支付密码输错被锁定了怎么办？',
    also: ['支付密码锁定', '忘记支付密码', 'PIN locked', 'forgot my PIN'],
    answer: '连续输错会暂时锁定支付，稍后自动解锁；忘记密码请在“我的 → 安全中心”通过身份验证重置。银行工作人员不会向你索要密码。',
    capabilityId: 'payment.cashier',
  },
  {
    id: 'coupon-not-applied',
    question: '优惠券为什么不能用？',
    also: ['优惠券无法使用', '券没有抵扣', 'coupon not applied', 'coupon expired'],
    answer: '请检查优惠券的有效期、使用门槛和适用商家；收银台会自动选择可用的最优优惠。退款后优惠券会按规则退回。',
    capabilityId: 'marketing.coupons',
  },
  {
    id: 'points-redeem',
    question: '积分怎么兑换？',
    also: ['积分抵扣', '积分过期', 'redeem points', 'points balance'],
    answer: '在支持积分的小程序里选择积分兑换，确认弹窗会显示扣除的积分和兑换内容；兑换后可在“我的积分”查看明细。',
    capabilityId: 'member.points',
  },
  {
    id: 'password-free',
    question: '怎么关闭免密支付？',
    also: ['取消免密支付', '解约免密支付', '先享后付', 'cancel password-free payment', 'agreement'],
    answer: '打开“我的 → 支付设置 → 免密支付”，选择商家解约，立即生效；已产生的订单仍会正常结算。',
    capabilityId: 'payment.agreement',
  },
  {
    id: 'deposit-release',
    question: '押金什么时候解冻？',
    also: ['预授权冻结', '押金退还', '酒店押金', 'deposit hold release'],
    answer: '商家完成服务后会解冻或扣取押金；冻结到期会自动解冻。可在订单详情查看冻结金额和到期时间。',
    capabilityId: 'payment.deposit',
  },
  {
    id: 'unsubscribe',
    question: '怎么不再接收小程序消息？',
    also: ['取消订阅消息', '关闭消息提醒', 'stop messages', 'unsubscribe'],
    answer: '在“消息”里长按该小程序的消息选择“不再接收”，或在授权设置里关闭订阅；小程序只能在你点击同意后发送消息。',
    capabilityId: 'marketing.subscribe',
  },
  {
    id: 'lucky-draw-fair',
    question: '抽奖结果公平吗？',
    also: ['抽奖概率', '中奖记录', 'is the lucky draw fair'],
    answer: '奖品数量和中奖概率由商家提交并经银行审核，抽奖在银行服务器完成并留痕，可审计；中奖记录在活动页查看。',
    capabilityId: 'marketing.luckyDraw',
  },
  {
    id: 'clear-data',
    question: '怎么清除小程序保存的数据？',
    also: ['清除缓存', '删除小程序数据', 'clear mini-app data', 'storage'],
    answer: '打开“我的 → 设置 → 小程序”，选择小程序后点击“清除数据”，会删除它为你保存的全部缓存数据。',
    capabilityId: 'base.storage',
  },
  {
    id: 'order-missing',
    question: '找不到我的订单',
    also: ['订单查询', '订单不见了', 'where is my order', 'order history'],
    answer: '在小程序的订单页或“我的 → 订单”查看；每个小程序只显示在该小程序下的订单。未付款的订单超时后会自动关闭。',
    capabilityId: 'payment.orders',
  },
  {
    id: 'human',
    question: '怎么联系人工客服？',
    also: ['转人工', '人工服务', '投诉', 'talk to a person', 'human agent', 'complaint'],
    answer: '在客服对话里选择“转人工”，我们会为你创建工单并排队接入；请勿在对话中发送银行卡号或密码。',
  },
  {
    id: 'safety',
    question: '小程序安全吗？',
    also: ['小程序会不会盗刷', '个人信息安全', 'is it safe', 'privacy'],
    answer: '小程序在隔离的沙箱里运行，只能使用银行授予的能力；付款金额和商家由银行的收银台显示，支付需要你的密码确认。个人信息须经你授权，且以去标识化方式提供。',
  },
];
