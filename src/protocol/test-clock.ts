/**
 * Params of `test.clock.advance` (SPEC S3), present only on a gateway in test mode.
 * @additionalProperties false
 */
export interface TestClockAdvanceParams {
  /**
   * How far to move the clock, in ms; at most ten years per call.
   * @TJS-type integer
   * @minimum 0
   * @maximum 315360000000
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
