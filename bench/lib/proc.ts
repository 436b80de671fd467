import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine a result was measured on, with the 1, 5 and 15 min load averages at the end of the run. */
export function machineInfo(): {
  cpus: number;
  cpuModel: string | undefined;
  node: string;
  loadAverage: number[];
} {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadAverage: loadavg(),
  };
}
