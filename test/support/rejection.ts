import { expect } from 'vitest';
import { GatewayError } from '../../server/wechat/gateway.ts';

/** The error `promise` rejects with, required to be a `type` (a promise that resolves fails the test). */
export async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

/** The GatewayError (timeout, network, bad signature, bad response) a WeChat or Alipay call rejects with. */
export const gatewayError = (promise: Promise<unknown>): Promise<GatewayError> => rejection(promise, GatewayError);
