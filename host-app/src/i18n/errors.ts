/**
 * What each error code means to a person, in Chinese and English, with what to do next. Keyed by
 * the catalogue in `protocol/errors.ts`: a new code fails type-checking here until it has text.
 */
import type { ErrorCode } from '../../../protocol/errors.ts';
import type { Bilingual } from '../../../protocol/text.ts';

export type { Bilingual };

/** Friendly text for every error code. */
export const ERROR_TEXT: Record<ErrorCode, Bilingual> = {
  INVALID_PARAMS: { zh: '填写的内容有误，请检查后重试。', en: 'Some of the details are not valid. Check them and try again.' },
  INVALID_JSON: { zh: '请求格式有误，请刷新页面后重试。', en: 'The request was malformed. Reload the page and try again.' },
  PAYLOAD_TOO_LARGE: { zh: '内容过大，请缩小后重试。', en: 'That is too large. Make it smaller and try again.' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '文件类型不受支持，请上传 lily pack 生成的 .lilypkg 文件。', en: 'Unsupported file type. Upload the .lilypkg file made by lily pack.' },
  ROUTE_NOT_FOUND: { zh: '此功能暂不可用，请稍后再试。', en: 'This feature is not available yet. Try again later.' },
  METHOD_NOT_ALLOWED: { zh: '此操作暂不可用，请刷新页面后重试。', en: 'This action is not available. Reload the page and try again.' },
  UNAUTHENTICATED: { zh: '请先登录。', en: 'Please log in first.' },
  SESSION_EXPIRED: { zh: '登录已过期，请重新登录。', en: 'Your session has expired. Log in again.' },
  INVALID_CREDENTIALS: { zh: '用户名或密码不正确，请重新输入。', en: 'The username or password is incorrect. Try again.' },
  FORBIDDEN: { zh: '当前账号无权进行此操作，请换用有权限的账号登录。', en: 'This account may not do that. Log in with an account that may.' },
  CSRF_REJECTED: { zh: '请求未通过安全校验，请刷新页面后重试。', en: 'The request failed a security check. Reload the page and try again.' },
  PIN_INCORRECT: { zh: '支付密码不正确，请重新输入。连续输错 5 次将暂时锁定支付。', en: 'Wrong payment PIN. Try again; five wrong PINs in a row lock payments for a while.' },
  PIN_LOCKED: { zh: '支付密码错误次数过多，支付已暂时锁定，请 15 分钟后再试。', en: 'Too many wrong PINs: payments are locked. Try again in 15 minutes.' },
  PIN_NOT_SET: { zh: '尚未设置支付密码，请先在“我的”中设置。', en: 'No payment PIN is set yet. Set one under “Me” first.' },
  ACCOUNT_EXISTS: { zh: '该用户名已被注册，请换一个。', en: 'That username is taken. Choose another.' },
  PERMISSION_DENIED: { zh: '银行已停用该小程序的此项功能，暂时无法使用。可稍后再试或联系小程序客服。', en: 'The bank has switched this feature off for the mini-app. Try later or contact its support.' },
  CAPABILITY_NOT_DECLARED: { zh: '该小程序未声明此功能，无法使用。请联系小程序开发者。', en: 'The mini-app did not declare this feature. Contact its developer.' },
  APP_SUSPENDED: { zh: '该小程序已被暂停服务，请稍后再试。', en: 'This mini-app is suspended. Try again later.' },
  APP_NOT_LIVE: { zh: '该小程序暂未上线或已下架。', en: 'This mini-app is not available.' },
  CONSENT_REQUIRED: { zh: '您尚未授权该小程序使用此信息。可在“我的 › 授权管理”中修改。', en: 'You have not allowed the mini-app to use this. Change it under Me › Permissions.' },
  CONSENT_EXPIRED: { zh: '授权已过期，请重新授权。', en: 'Your permission has expired. Allow it again to continue.' },
  USER_CANCELLED: { zh: '已取消。', en: 'Cancelled.' },
  RATE_LIMITED: { zh: '操作太频繁，请稍等片刻再试。', en: 'Too many requests. Wait a moment and try again.' },
  QUOTA_EXCEEDED: { zh: '该小程序今日的使用额度已用完，请明天再试。', en: "The mini-app has used up today's allowance. Try again tomorrow." },
  CIRCUIT_OPEN: { zh: '服务暂时繁忙，请稍后再试。', en: 'The service is busy. Try again shortly.' },
  LAUNCH_TOKEN_INVALID: { zh: '小程序会话已失效，请关闭后重新打开。', en: 'The mini-app session is no longer valid. Close and reopen it.' },
  UNKNOWN_CAPABILITY: { zh: '当前版本不支持此功能，请更新后再试。', en: 'This version does not support that feature.' },
  SIGNATURE_MISSING: { zh: '请求缺少签名：请按签名指南添加 Authorization 头。', en: 'The request is not signed: add the Authorization header as the signing guide shows.' },
  SIGNATURE_INVALID: { zh: '签名校验失败：请用签名调试器核对待签名串与密钥。', en: 'The signature does not verify: compare the canonical string and key in the signature debugger.' },
  TIMESTAMP_OUT_OF_WINDOW: { zh: '时间戳与服务器相差超过 300 秒，请校准服务器时间。', en: 'The timestamp is over 300 s off; fix the server clock.' },
  NONCE_REPLAYED: { zh: '随机串已被使用，每个请求需使用新的 nonce。', en: 'That nonce was used already; every request needs a new one.' },
  KEY_REVOKED: { zh: '签名密钥已吊销或过期，请在凭证管理中轮换密钥。', en: 'The signing key is revoked or expired; rotate it under Credentials.' },
  IDEMPOTENCY_KEY_REQUIRED: { zh: 'POST 请求需要 Idempotency-Key 头。', en: 'POST requests need an Idempotency-Key header.' },
  IDEMPOTENCY_CONFLICT: { zh: '该 Idempotency-Key 已用于不同的请求体。', en: 'That Idempotency-Key was used with another body.' },
  IDEMPOTENCY_IN_PROGRESS: { zh: '相同请求正在处理中，请稍后重试。', en: 'The same request is still being processed; retry shortly.' },
  NOT_FOUND: { zh: '没有找到相关内容，可能已被删除。', en: 'Not found; it may have been removed.' },
  CONFLICT: { zh: '状态已变化，请刷新后重试。', en: 'Something changed meanwhile. Refresh and try again.' },
  DUPLICATE: { zh: '已存在相同的内容（例如同一版本号），请修改后重试。', en: 'That already exists (for example the same version). Change it and try again.' },
  INVALID_STATE: { zh: '当前状态下无法进行此操作（例如订单已支付或已关闭）。', en: 'Not possible right now (for example the order is already paid or closed).' },
  INSUFFICIENT_FUNDS: { zh: '余额不足，请换一张银行卡或先充值。', en: 'The balance is not enough. Choose a card or top up first.' },
  LIMIT_EXCEEDED: { zh: '超出限额，请调整金额或换一种支付方式。', en: 'Over a limit. Change the amount or the payment method.' },
  PACKAGE_INVALID: { zh: '小程序包格式无效，请用 lily pack 重新打包后上传。', en: 'The package is invalid. Pack it again with lily pack and upload it.' },
  PACKAGE_TAMPERED: { zh: '小程序包校验失败，为保护您的安全未予运行。请稍后重试。', en: 'The mini-app failed verification and was not run, for your safety. Try again later.' },
  SANDBOX_LIMIT: { zh: '小程序占用资源过多，已被停止。可重新打开，或联系小程序客服。', en: 'The mini-app used too many resources and was stopped. Reopen it or contact its support.' },
  SANDBOX_CRASHED: { zh: '小程序运行出错，已被停止。可重新打开试试。', en: 'The mini-app hit an error and was stopped. Try reopening it.' },
  INSTANCE_CLOSED: { zh: '小程序已关闭，请重新打开。', en: 'The mini-app is closed. Open it again.' },
  VIEW_INVALID: { zh: '小程序页面包含不允许的内容，已被停止。', en: 'The mini-app drew something not allowed and was stopped.' },
  TIMEOUT: { zh: '请求超时，请检查网络后重试。', en: 'That took too long. Check the network and try again.' },
  UNAVAILABLE: { zh: '暂时无法连接银行服务，请检查网络后重试。', en: 'The bank cannot be reached right now. Check the network and try again.' },
  INTERNAL: { zh: '系统开小差了，请稍后再试。', en: 'Something went wrong on our side. Try again later.' },
};
