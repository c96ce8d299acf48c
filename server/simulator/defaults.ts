/**
 * The simulators' built-in credentials, apart from their Hono apps so that the server's
 * configuration (server/config.ts) can default to them without loading a simulator.
 */
export const SIMULATOR_DEFAULTS = {
  appid: 'wx00000000sim00000',
  mch_id: '1900000109',
  key: 'micropayPosSimulatorKey000000000',
} as const;

export const ALIPAY_SIMULATOR_DEFAULTS = {
  appId: '2021000100000001',
  /** The merchant's PID (2088 + 12 digits); bills are under `<pid>0156`. */
  pid: '2088000000000042',
} as const;
