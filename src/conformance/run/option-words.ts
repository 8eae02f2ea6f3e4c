/**
 * How the harness's messages name the options a reader may have to change: runConformance's own
 * options (the default: code calls it) or a command line's flags (`gateway-presence conform` passes
 * its own words). Only what a message tells the reader to do is named this way: give a token, leave
 * one out, wait longer or not at all for a gateway that is not ready.
 */
export interface OptionWords {
  /** How to give the gateway's token: `the token option`, `--token-file FILE, --token or $GATEWAY_PRESENCE_TOKEN`. */
  giveToken: string;
  /** Where this run's token came from (said when the gateway did not need it): `the token option`, `--token`. */
  tokenGiven: string;
  /** The readiness wait set to `ms`: `waitReadyMs: 0`, `--wait-ready 0`. */
  waitReady(ms: number): string;
  /** What sets how long a step waits for an answer, named beside a wait that ran out: `stepTimeoutMs`, `--step-timeout`. */
  stepTimeout: string;
  /** What sets a scenario's timeout, named when a wait the gateway asked for does not fit in it: `timeoutMs`, `--timeout`. */
  timeout: string;
  /** How the reference gateway is started in test mode (SPEC S3), named when a gateway lacks test.clock.advance: `createGateway({ testClock: true })`, `` `serve --test-clock` ``. */
  testMode: string;
}

/** runConformance's and conformanceSuite's option names. */
export const SDK_OPTION_WORDS: OptionWords = {
  giveToken: "the token option",
  tokenGiven: "the token option",
  waitReady: (ms) => `waitReadyMs: ${ms}`,
  stepTimeout: "stepTimeoutMs",
  timeout: "timeoutMs",
  testMode: "createGateway({ testClock: true })",
};

/**
 * Why a gateway without test.clock.advance has it not, and how to get the scenarios that need it run
 * (SPEC S3: a gateway started in test mode offers it): said once per run, after the capability's reason.
 */
export const testModeHint = (words: Pick<OptionWords, "testMode">): string =>
  `a gateway started in test mode offers it, SPEC S3: the reference gateway's ${words.testMode}`;

/**
 * Why a connect with no or a wrong `auth.token` was accepted although the run has a token: the harness
 * cannot know which of the two readings holds, so it gives both (SPEC H5). `auth` is the actor's.
 */
export function acceptedWithoutTokenText(auth: "none" | "wrong", words: OptionWords): string {
  const what = auth === "none" ? "with no auth.token" : "with a wrong auth.token";
  return (
    `the gateway accepted a connect ${what} although a token was given (${words.tokenGiven}): ` +
    `either it was started without a token (then run without ${words.tokenGiven}) or it does not enforce SPEC H5`
  );
}
