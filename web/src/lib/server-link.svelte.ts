/**
 * Whether the POS server answers. Every API call reports in (api.ts onReachable), and the health
 * poll every few seconds keeps it fresh, so the banner, the Charge key and the checkout's refusal
 * to take a code all agree the moment the server goes away or comes back.
 */
export class ServerLink {
  #online = $state(true);

  get online(): boolean {
    return this.#online;
  }

  readonly report = (reachable: boolean): void => {
    if (this.#online !== reachable) this.#online = reachable;
  };
}
