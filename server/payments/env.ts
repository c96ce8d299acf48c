import type { FlowDeps, PaymentFlow } from './flow.ts';

/** What the parts of the payment service share (index.ts builds it once): the flow and what it runs on. */
export interface ServiceEnv extends FlowDeps {
  flow: PaymentFlow;
}
