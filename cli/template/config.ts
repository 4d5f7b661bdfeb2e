/** Where the mini-app reaches your back end, and where the back end listens. */
export const BACKEND = 'http://localhost:4200';
