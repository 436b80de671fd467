export { runOpenLoop, runClosedLoop } from './run';
export type { Call, RunResult, OpenLoopOptions, ClosedLoopOptions } from './run';
export { createLatencyHistogram, recordMs, summarize, percentileCurve } from './histogram';
export type { LatencySummary } from './histogram';
export { SCENARIOS, requestData, unary } from './scenarios';
export type { Scenario, ScenarioOptions } from './scenarios';
export { formatRuns } from './table';
