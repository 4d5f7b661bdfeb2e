// Where the merchant back end answers (its host must be in the manifest's `domains`). The demo
// installer rewrites this file when the back end runs on another port.
export const BACKEND = 'http://localhost:4102';
