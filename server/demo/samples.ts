/**
 * The sample mini-apps the local demo installs: who the merchant is, which loopback name its
 * back end answers on, the quotas ops grant, and how to start its back end.
 */
import { createConcertsBackend } from '../../sample-miniapps/concerts/server/backend.ts';
import { createHotelBackend } from '../../sample-miniapps/hotel/server/backend.ts';
import { createMoviesBackend } from '../../sample-miniapps/movies/server/backend.ts';
import { REMINDER_TEMPLATE } from '../../sample-miniapps/movies/server/offers.ts';
import { createRideBackend, type RideCredentials } from '../../sample-miniapps/ride/server/backend.ts';
import type { GrantQuota } from '../policies/gates.ts';
import type { Env } from '../policies/gates.ts';

/** What a sample's back end gets to start. */
export interface SampleBackendInput {
  /** Where the Lily Open API answers. */
  lilyUrl: string;
  bankPublicKey: string;
  /** Open API credentials per environment. */
  credentials: Record<Env, RideCredentials>;
  log: (message: string, data?: Record<string, unknown>) => void;
}

/** A started sample back end. */
export interface SampleBackend {
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
  /** The back end's own state, for tests and the demo console. */
  state: unknown;
}

/** One sample: its folder under `sample-miniapps/`, its merchant, its back end. */
export interface DemoSample {
  /** Folder name under `sample-miniapps/`. */
  name: string;
  /** The merchant account (login) and business that own the app. */
  merchant: {
    username: string;
    password: string;
    displayName: string;
    businessName: string;
    licenceNo: string;
    contact: { name: string; phone: string; email: string };
  };
  /** Added to `basePort` to get the back end's port. */
  portOffset: number;
  /** Grant quotas by capability (others get none). */
  quotas: Readonly<Record<string, GrantQuota>>;
  /** Points the app may award per environment. */
  pointsBudget: number;
  /** Message templates the app sends (`marketing.subscribe`), registered as approved by ops. */
  messageTemplates?: readonly { templateId: string; title: string; content: string }[];
  startBackend(input: SampleBackendInput): SampleBackend;
}

const PAYMENT_DAY = 500_000; // 5,000 yuan a day through each payment capability.

/** The samples, by name. */
export const DEMO_SAMPLES: Readonly<Record<string, DemoSample>> = {
  ride: {
    name: 'ride',
    merchant: {
      username: 'ride-merchant',
      password: 'ride-merchant-demo',
      displayName: '快行出行 Ride',
      businessName: '快行出行科技有限公司',
      licenceNo: '91310000MA1DEMO0R1',
      contact: { name: '张伟', phone: '13800000101', email: 'dev@ride.example' },
    },
    portOffset: 1,
    quotas: {
      'base.request': { perMinute: 600 },
      'base.storage': { perMinute: 300 },
      'payment.deposit': { perMinute: 120, dailyAmount: PAYMENT_DAY },
      'payment.agreement': { perMinute: 60, dailyAmount: PAYMENT_DAY },
      'marketing.share': { perMinute: 60 },
    },
    pointsBudget: 1_000_000,
    startBackend: (input) => createRideBackend(input),
  },
  concerts: {
    name: 'concerts',
    merchant: {
      username: 'concerts-merchant',
      password: 'concerts-merchant-demo',
      displayName: '声浪票务 Concerts',
      businessName: '声浪文化传播有限公司',
      licenceNo: '91310000MA1DEMO0C3',
      contact: { name: '陈静', phone: '13800000103', email: 'dev@concerts.example' },
    },
    portOffset: 3,
    quotas: {
      'base.request': { perMinute: 600 },
      'base.storage': { perMinute: 300 },
      'marketing.luckyDraw': { perMinute: 600 },
      'member.realName': { perMinute: 120 },
      // Tickets cost up to a few thousand yuan: 50,000 yuan a day through the cashier and escrow.
      'payment.cashier': { perMinute: 120, dailyAmount: 5_000_000 },
      'payment.escrow': { perMinute: 120, dailyAmount: 5_000_000 },
      'payment.installment': { perMinute: 120 },
      'payment.orders': { perMinute: 300 },
      'marketing.share': { perMinute: 60 },
    },
    pointsBudget: 0,
    startBackend: (input) => createConcertsBackend(input),
  },
  movies: {
    name: 'movies',
    merchant: {
      username: 'movies-merchant',
      password: 'movies-merchant-demo',
      displayName: '百合影城 Movies',
      businessName: '百合影城文化传媒有限公司',
      licenceNo: '91310000MA1DEMO0M2',
      contact: { name: '王芳', phone: '13800000102', email: 'dev@movies.example' },
    },
    portOffset: 2,
    quotas: {
      'base.request': { perMinute: 600 },
      'base.storage': { perMinute: 300 },
      'payment.cashier': { perMinute: 120, dailyAmount: PAYMENT_DAY },
      'payment.refund': { perMinute: 60, dailyAmount: PAYMENT_DAY },
      'payment.orders': { perMinute: 300 },
      'marketing.coupons': { perMinute: 300 },
      'marketing.subscribe': { perMinute: 60 },
      'marketing.share': { perMinute: 60 },
    },
    pointsBudget: 0,
    messageTemplates: [REMINDER_TEMPLATE],
    startBackend: (input) => createMoviesBackend(input),
  },
  hotel: {
    name: 'hotel',
    merchant: {
      username: 'hotel-merchant',
      password: 'hotel-merchant-demo',
      displayName: '悦途酒店 Hotels',
      businessName: '悦途酒店管理有限公司',
      licenceNo: '91310000MA1DEMO0H4',
      contact: { name: '刘洋', phone: '13800000104', email: 'dev@hotel.example' },
    },
    portOffset: 4,
    quotas: {
      'base.request': { perMinute: 600 },
      'base.storage': { perMinute: 300 },
      // A week in a suite with its deposit passes 10,000 yuan: 50,000 yuan a day per payment capability.
      'payment.deposit': { perMinute: 120, dailyAmount: 5_000_000 },
      'payment.cashier': { perMinute: 120, dailyAmount: 5_000_000 },
      'payment.refund': { perMinute: 60, dailyAmount: 5_000_000 },
      'payment.orders': { perMinute: 300 },
      'member.phone': { perMinute: 60 },
      'member.invoice': { perMinute: 60 },
      'member.card': { perMinute: 120 },
    },
    pointsBudget: 0,
    startBackend: (input) => createHotelBackend(input),
  },
};
