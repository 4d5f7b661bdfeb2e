/**
 * Host sheets answered programmatically: the headless stand-in for the dialogs a real host shows
 * (consent, cashier, modal, action sheet, scanner, place picker, photo picker, phone-call and
 * open-app confirmations). Tests and tools queue answers or install a handler; with neither, a
 * sheet is dismissed (the user "cancelled"), so nothing ever hangs.
 */
import type { Bilingual } from '../../protocol/text.ts';

/** A picture the user picks in the photo sheet (what the device knows about the file). */
export interface PickedImage {
  type: 'image/jpeg' | 'image/png' | 'image/webp';
  width: number;
  height: number;
  /** File size in bytes. */
  size: number;
}

/** A place the user picks in the map sheet. */
export interface PickedPlace {
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  /** Coordinate system of the place (default `gcj02`, what Chinese map services use). */
  type?: 'wgs84' | 'gcj02';
}

/** What each sheet shows. */
export interface SheetRequests {
  /**
   * The consent sheet. `appName`, `title`, `reasons` and `purpose` come from the server's sheet
   * data when the host is connected, never from the mini-app.
   */
  consent: { appId: string; scope: string; purpose?: Bilingual; appName?: string; title?: string; reasons?: string[] };
  cashier: { appId: string; prepayId?: string; amount?: number; description?: string; merchant?: string };
  modal: { appId: string; title?: string; content: string; showCancel?: boolean; confirmText?: string; cancelText?: string };
  actionSheet: { appId: string; itemList: string[]; alertText?: string };
  scan: { appId: string; scanType?: string[]; onlyFromCamera?: boolean };
  location: { appId: string; latitude?: number; longitude?: number; keyword?: string };
  image: { appId: string; count: number; sourceType: ('album' | 'camera')[]; sizeType: 'original' | 'compressed' };
  /** Shows the number the host will dial, never text of the mini-app's choosing. */
  phoneCall: { appId: string; phoneNumber: string };
  /** Shows the target's name and icon as the platform knows them. */
  openApp: { appId: string; target: { appId: string; name: string; icon: string }; path?: string };
}

/** How the user answered each sheet. */
export interface SheetAnswers {
  consent: { granted: boolean };
  /** The PIN, and the card, installment plan and coupon picked (the wallet, no plan and no coupon when absent). */
  cashier: { pin: string; cardId?: string | null; installmentTerm?: number | null; couponId?: string | null } | { cancel: true };
  modal: { confirm: boolean };
  actionSheet: { tapIndex: number } | { cancel: true };
  scan: { result: string; scanType?: 'qrCode' | 'barCode' } | { cancel: true };
  location: PickedPlace | { cancel: true };
  image: { images: PickedImage[] } | { cancel: true };
  phoneCall: { confirm: boolean };
  openApp: { confirm: boolean };
}

/** A sheet kind. */
export type SheetKind = keyof SheetRequests;

/** One sheet that was shown, with its answer. */
export interface SheetRecord<K extends SheetKind = SheetKind> {
  kind: K;
  request: SheetRequests[K];
  answer: SheetAnswers[K];
  /** `queue`, `handler` or `default` (dismissed). */
  answeredBy: 'queue' | 'handler' | 'default';
}

/** The answer when nobody queued one: the user dismissed the sheet. */
export const DISMISSED: { [K in SheetKind]: SheetAnswers[K] } = {
  consent: { granted: false },
  cashier: { cancel: true },
  modal: { confirm: false },
  actionSheet: { cancel: true },
  scan: { cancel: true },
  location: { cancel: true },
  image: { cancel: true },
  phoneCall: { confirm: false },
  openApp: { confirm: false },
};

type Handler<K extends SheetKind> = (request: SheetRequests[K]) => SheetAnswers[K] | Promise<SheetAnswers[K]>;

/**
 * The sheets of a headless host.
 *
 * @example
 * ```ts
 * host.sheets.queue('modal', { confirm: true });
 * host.sheets.handle('cashier', (req) => ({ pin: '123456' }));
 * await app.tap('pay');
 * expect(host.sheets.shown.map((s) => s.kind)).toEqual(['modal', 'cashier']);
 * ```
 */
export class HostSheets {
  /** Every sheet shown, oldest first. */
  readonly shown: SheetRecord[] = [];
  private readonly queues: { [K in SheetKind]: SheetAnswers[K][] } = {
    consent: [],
    cashier: [],
    modal: [],
    actionSheet: [],
    scan: [],
    location: [],
    image: [],
    phoneCall: [],
    openApp: [],
  };
  private readonly handlers: { [K in SheetKind]?: Handler<K> } = {};

  /** Queues answers for the next sheets of `kind`, used before any handler. */
  queue<K extends SheetKind>(kind: K, ...answers: SheetAnswers[K][]): this {
    (this.queues[kind] as SheetAnswers[K][]).push(...answers);
    return this;
  }

  /** Answers every sheet of `kind` (when the queue is empty) with `handler`; `undefined` removes it. */
  handle<K extends SheetKind>(kind: K, handler: Handler<K> | undefined): this {
    (this.handlers as Record<K, Handler<K> | undefined>)[kind] = handler;
    return this;
  }

  /** Answers still queued for `kind`. */
  queued(kind: SheetKind): number {
    return this.queues[kind].length;
  }

  /** Shows a sheet and waits for its answer. Host capabilities and server bridges call this. */
  async show<K extends SheetKind>(kind: K, request: SheetRequests[K]): Promise<SheetAnswers[K]> {
    const queue = this.queues[kind] as SheetAnswers[K][];
    let answer: SheetAnswers[K];
    let answeredBy: SheetRecord['answeredBy'];
    if (queue.length > 0) {
      answer = queue.shift()!;
      answeredBy = 'queue';
    } else {
      const handler = this.handlers[kind] as Handler<K> | undefined;
      if (handler) {
        answer = await handler(request);
        answeredBy = 'handler';
      } else {
        answer = DISMISSED[kind];
        answeredBy = 'default';
      }
    }
    this.shown.push({ kind, request, answer, answeredBy } as SheetRecord);
    return answer;
  }
}
