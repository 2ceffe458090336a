/**
 * How a release treats an alarm in INSUFFICIENT_DATA while it shifts traffic and bakes.
 */
export enum InsufficientDataPolicy {
  /**
   * Carry on, as if the alarm were OK. Alarms on a new generation have no data until it takes
   * traffic, and alarms on quiet metrics often have none at all. While the alarms cannot be
   * read at all (DescribeAlarms throttled or failing), the release holds its current step.
   */
  TREAT_AS_OK = 'OK',

  /**
   * Roll the release back, as if the alarm were in ALARM: for alarms whose metrics always
   * report, where missing data means something is broken. Alarms that cannot be read for a
   * minute (DescribeAlarms throttled or failing) count as alarms without data.
   */
  ROLL_BACK = 'FAIL',
}
