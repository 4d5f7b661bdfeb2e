/**
 * Fares of the ride sample: places the demo knows, distance by the haversine formula, and the
 * tariff (flag fall, per kilometre, per minute, all in fen). Pure functions, no I/O.
 */

/** A place a rider can go to. */
export interface Place {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
}

/** Destinations of the demo (Shanghai). */
export const PLACES: readonly Place[] = [
  { id: 'bund', name: '外滩 The Bund', latitude: 31.2400, longitude: 121.4900 },
  { id: 'hongqiao', name: '虹桥机场 Hongqiao Airport', latitude: 31.1979, longitude: 121.3363 },
  { id: 'lujiazui', name: '陆家嘴 Lujiazui', latitude: 31.2397, longitude: 121.4998 },
  { id: 'jingan', name: '静安寺 Jing’an Temple', latitude: 31.2235, longitude: 121.4453 },
];

/** The tariff, in fen. */
export const TARIFF = { flagFall: 1400, perKm: 270, perMinute: 50, minimum: 1400, averageKmh: 30 } as const;

/** The deposit held for every ride (fen): above any fare the demo can quote. */
export const DEPOSIT = 10_000;

/** A quote: what the ride will cost. */
export interface FareEstimate {
  distanceKm: number;
  minutes: number;
  fare: number;
}

/** Great-circle distance in kilometres between two WGS-84 points. */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLng = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The fare from a pick-up point to a destination: road distance is taken as 1.3 × the straight
 * line, time from the average speed.
 *
 * @example
 * ```ts
 * estimate({ latitude: 31.2304, longitude: 121.4737 }, PLACES[0]!); // { distanceKm: 2.5, minutes: 5, fare: 2325 }
 * ```
 */
export function estimate(from: { latitude: number; longitude: number }, to: Place): FareEstimate {
  const km = Math.round(distanceKm(from, to) * 1.3 * 10) / 10;
  const minutes = Math.max(1, Math.round((km / TARIFF.averageKmh) * 60));
  const fare = Math.max(TARIFF.minimum, Math.round(TARIFF.flagFall + km * TARIFF.perKm + minutes * TARIFF.perMinute));
  return { distanceKm: km, minutes, fare };
}
