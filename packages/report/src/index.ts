export { barChart } from './bar-chart';
export type { BarGroup, BarValue } from './bar-chart';
export { lineChart } from './line-chart';
export type { LineSeries } from './line-chart';
export { escapeXml, niceScale } from './svg';
export { scatterChart } from './scatter';
export type { ScatterPanel, ScatterSeries } from './scatter';
