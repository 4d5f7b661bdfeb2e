/**
 * The local demo (`npm start`): sample mini-apps installed as live apps of admitted merchants,
 * with their merchant back ends running in this process.
 */
export { describeSamples, installSamples, type InstalledSample, type InstalledSamples, type InstallSamplesOptions } from './install.ts';
export { DEMO_SAMPLES, type DemoSample, type SampleBackend, type SampleBackendInput } from './samples.ts';
