/** Messages between the event loop and the SM2 worker threads. */

/** A task for an SM2 worker. */
export type Sm2Task =
  | { id: number; op: 'verify'; message: Uint8Array; signatureHex: string; publicKey: string }
  | { id: number; op: 'sign'; message: string };

/** A worker's answer: the verification result or the signature (hex), or what went wrong. */
export type Sm2Reply = { id: number; value: boolean | string } | { id: number; error: string };
