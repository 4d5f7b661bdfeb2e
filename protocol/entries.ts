/**
 * The user's saved addresses and invoice titles, as the server keeps them, the host's pickers
 * list them (`GET /api/me/addresses`, `GET /api/me/invoice-titles`) and a mini-app receives the
 * one the user picks (`member.address.chooseAddress`, `member.invoice.chooseInvoiceTitle`).
 */

/** An address as shared with a mini-app. */
export interface Address {
  recipientName: string;
  phoneNumber: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  postalCode: string;
}

/** An invoice title as shared with a mini-app (optional company fields are empty strings). */
export interface InvoiceTitle {
  type: 'personal' | 'company';
  title: string;
  taxNumber: string;
  companyAddress: string;
  telephone: string;
  bankName: string;
  bankAccount: string;
}

/** A saved entry with its id, as the host's pickers list it. */
export type SavedEntry<T> = T & { id: string };
