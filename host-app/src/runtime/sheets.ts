/**
 * The host's sheets: what each shows and how the user can answer. Only the host draws them, from
 * data the server or the host holds (app name, scope, amount, merchant), never from text the
 * mini-app supplies beyond what the sheet labels as coming from it.
 */
import type { ErrorCode } from '../../../protocol/errors.ts';
import type { CashierSummary, ConsentSheetData } from '../api/types.ts';

/** A fact a confirm sheet shows, e.g. the hold amount, the phone number to dial, the points to spend. */
export interface SheetFact {
  /** What it is: a key under `sheets.facts` in the messages (`hold.amount`), else shown as is. */
  label: string;
  value: string | number;
  kind: 'text' | 'money' | 'time';
  /** Who says so: the bank's server, or the mini-app (labelled as such in the sheet). */
  source: 'server' | 'app';
}

/** What each sheet shows. */
export interface SheetRequests {
  consent: { sheet: ConsentSheetData };
  cashier: { summary: CashierSummary; error?: ErrorCode };
  confirm: { kind: string; appName: string; capability: string; facts: SheetFact[]; needsPin: boolean; error?: ErrorCode };
  modal: { appName: string; title?: string; content: string; showCancel: boolean; confirmText?: string; cancelText?: string };
  actionSheet: { appName: string; itemList: string[]; alertText?: string };
  scan: { appName: string; scanType?: string[]; onlyFromCamera?: boolean };
  /** A place picker: `choose` for chooseLocation, `fallback` when the device has no position. */
  location: { appName: string; mode: 'choose' | 'fallback'; keyword?: string };
}

/** A place the user picked (WGS-84). */
export interface PickedPlace {
  name: string;
  address: string;
  latitude: number;
  longitude: number;
}

/** How the user answered each sheet. */
export interface SheetAnswers {
  consent: { granted: boolean };
  /** `couponId`: the coupon the user picked among the summary's coupons, or null for none. */
  cashier: { pin: string; cardId: string | null; installmentTerm: number | null; couponId?: string | null } | { cancel: true };
  confirm: { confirmed: true; pin?: string } | { cancel: true };
  modal: { confirm: boolean };
  actionSheet: { tapIndex: number } | { cancel: true };
  scan: { result: string; scanType: 'qrCode' | 'barCode' } | { cancel: true };
  location: PickedPlace | { cancel: true };
}

/** A sheet kind. */
export type SheetKind = keyof SheetRequests;

/** The answer when the user closes a sheet without choosing. */
export const DISMISSED: { [K in SheetKind]: SheetAnswers[K] } = {
  consent: { granted: false },
  cashier: { cancel: true },
  confirm: { cancel: true },
  modal: { confirm: false },
  actionSheet: { cancel: true },
  scan: { cancel: true },
  location: { cancel: true },
};

/** Confirm sheets that also take the payment PIN. */
export const PIN_CONFIRM_KINDS: ReadonlySet<string> = new Set(['hold', 'topUp', 'agreement', 'verification']);
