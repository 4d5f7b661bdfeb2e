/**
 * The sample mini-apps the local demo installs: who the merchant is, which loopback name its
 * back end answers on, the quotas ops grant, and how to start its back end.
 */
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
};
