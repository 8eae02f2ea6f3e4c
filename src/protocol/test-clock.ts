/**
 * Params of `test.clock.advance` (SPEC S3), present only on a gateway in test mode.
 * @additionalProperties false
 */
export interface TestClockAdvanceParams {
  /**
   * @TJS-type integer
   * @minimum 0
   */
  ms: number;
}

export interface TestClockAdvanceResult {
  /**
   * The gateway clock after the advance, in ms since the epoch.
   * @TJS-type integer
   * @minimum 0
   */
  now: number;
}
