/**
 * The hotel's side of the bank's Open API: one typed method per operation it uses, over the
 * public client (`open-client`), which signs every request and verifies every answer. Amounts
 * are fen. Every POST that moves money carries the hotel's own number as the Idempotency-Key, so
 * a retry after a timeout can never act twice.
 */
import { LilyOpenClient } from '../../../open-client/index.ts';

/** A world of the bank: separate credentials, funds, users and room inventory. */
export type HotelEnv = 'sandbox' | 'production';

/** One set of Open API credentials (the private key stays on the hotel's server). */
export interface HotelCredentials {
  appId: string;
  serialNo: string;
  privateKey: string;
}

/** A hold as the bank reports it. */
export interface HoldView {
  holdId: string;
  outHoldNo: string;
  amount: number;
  capturedAmount: number;
  status: 'created' | 'held' | 'captured' | 'released' | 'expired';
  expiresAt: number;
}

/** An order as the bank reports it. */
export interface OrderView {
  orderId: string;
  outTradeNo: string;
  amount: number;
  paidAmount: number;
  refundedAmount: number;
  status: 'created' | 'paid' | 'partially_refunded' | 'refunded' | 'closed';
}

/** A refund as the bank reports it. */
export interface RefundView {
  refundId: string;
  orderId: string;
  amount: number;
  status: 'processing' | 'succeeded' | 'failed';
}

/** A membership card as the bank reports it. */
export interface CardView {
  cardId: string;
  templateId: string;
  level: string;
  points: number;
}

/** What `createHold` needs; kept with the booking so that the same hold can be asked for again. */
export interface HoldRequest {
  openId: string;
  outHoldNo: string;
  amount: number;
  description: string;
  expireSeconds: number;
}

/** The Open API operations the hotel uses, for one world of the bank. */
export class HotelBank {
  constructor(private readonly client: LilyOpenClient) {}

  /** Exchanges a login code for the guest's openId and session key. */
  code2Session(code: string) {
    return this.client.post<{ openId: string; sessionKey: string; expiresIn: number }>('/open/v1/auth/code2session', { code });
  }

  /** Exchanges a one-time phone code for the number the guest shared. */
  exchangePhone(phoneCode: string) {
    return this.client.post<{ phoneNumber: string; purePhoneNumber: string; countryCode: string }>('/open/v1/member/phone', { phoneCode });
  }

  /** Creates the deposit hold the guest authorizes in the bank's sheet. */
  createHold(input: HoldRequest) {
    return this.client.post<HoldView>('/open/v1/holds', input, { idempotencyKey: input.outHoldNo });
  }

  /**
   * The hold's current state. The Open API has no hold query, but creating a hold is idempotent
   * by `outHoldNo`: sending the very same request again (under a fresh Idempotency-Key, so the
   * bank runs it rather than replaying its first answer) returns the hold as it is now.
   */
  holdState(input: HoldRequest, attempt: string) {
    return this.client.post<HoldView>('/open/v1/holds', input, { idempotencyKey: `${input.outHoldNo}-Q${attempt}` });
  }

  /** Takes `amount` from a held deposit; the rest goes back to the guest at once. */
  captureHold(holdId: string, amount: number, key: string) {
    return this.client.post<HoldView>(`/open/v1/holds/${encodeURIComponent(holdId)}/capture`, { amount }, { idempotencyKey: key });
  }

  /** Releases a deposit without taking anything. */
  releaseHold(holdId: string, key: string) {
    return this.client.post<HoldView>(`/open/v1/holds/${encodeURIComponent(holdId)}/release`, {}, { idempotencyKey: key });
  }

  /** Creates a prepay order for the cashier. */
  createPrepay(input: { openId: string; outTradeNo: string; amount: number; description: string; expireSeconds: number; attach?: Record<string, string> }) {
    return this.client.post<{ prepayId: string; orderId: string; expiresAt: number }>('/open/v1/payments/prepay', input, { idempotencyKey: input.outTradeNo });
  }

  /** One order of the hotel's app. */
  queryOrder(orderId: string) {
    return this.client.get<OrderView>(`/open/v1/payments/orders/${encodeURIComponent(orderId)}`);
  }

  /** The order with the hotel's own number `outTradeNo` (e.g. the order a hold capture made), or null. */
  async findOrder(outTradeNo: string): Promise<OrderView | null> {
    const page = await this.client.get<{ orders: OrderView[] }>('/open/v1/payments/orders', { outTradeNo, limit: 1 });
    return page.orders[0] ?? null;
  }

  /** Closes an unpaid order so it can no longer be paid. */
  closeOrder(orderId: string, key: string) {
    return this.client.post<{ orderId: string; status: 'closed' }>(`/open/v1/payments/orders/${encodeURIComponent(orderId)}/close`, {}, { idempotencyKey: key });
  }

  /** Refunds part or all of a paid order. */
  refund(input: { orderId: string; outRefundNo: string; amount: number; reason: string }) {
    return this.client.post<RefundView>('/open/v1/refunds', input, { idempotencyKey: input.outRefundNo });
  }

  /** Defines the chain's membership card template. */
  createCardTemplate(input: { title: string; logoUrl: string; color: 'green'; benefits: string[]; hasPoints: boolean }, key: string) {
    return this.client.post<{ templateId: string; status: 'pending_review' | 'active' | 'rejected' }>('/open/v1/member/card-templates', input, { idempotencyKey: key });
  }

  /** Sets the level and points shown on a guest's card; NOT_FOUND unless the card is this guest's. */
  async updateCard(cardId: string, input: { openId: string; level: string; points: number }) {
    return (await this.client.request<CardView>('PUT', `/open/v1/member/cards/${encodeURIComponent(cardId)}`, { body: input })).data;
  }
}
