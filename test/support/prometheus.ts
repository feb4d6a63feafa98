// A strict reader of the Prometheus text exposition format (version 0.0.4), written from its
// specification rather than taken from prom-client, so a test of what the server sends does
// not trust the library that wrote it. Any line it cannot read throws, naming the line.

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name: `x_bucket`, `x_sum` and `x_count` for a histogram `x`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/;
const SAMPLE = new RegExp(`^(${METRIC_NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const COMMENT = new RegExp(`^# (HELP|TYPE) (${METRIC_NAME})(?: (.*))?$`);
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
// A histogram's or summary's samples carry a suffix after the family's name.
const SUFFIXES: Record<MetricType, string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

// Values are read as Go's strconv.ParseFloat reads them (the format says so): NaN and Inf in any case.
function parseValue(text: string, line: string): number {
  if (/^nan$/i.test(text)) return NaN;
  const infinity = /^([+-]?)inf(inity)?$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: ${line}`);
  return value;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const match = LABEL.exec(rest);
    if (!match || match[1] === undefined || match[2] === undefined) throw new Error(`malformed labels: ${line}`);
    if (match[1] in labels) throw new Error(`label ${match[1]} twice: ${line}`);
    labels[match[1]] = match[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

/** Every metric family of an exposition, in order; throws on anything the format does not allow. */
export function parsePrometheusText(text: string): MetricFamily[] {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, MetricFamily>();
  let current: MetricFamily | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = COMMENT.exec(line);
    if (comment) {
      const [, keyword, name = '', rest = ''] = comment;
      let family = families.get(name);
      if (family === undefined) {
        family = { name, help: '', type: 'untyped', samples: [] };
        families.set(name, family);
        current = family;
      } else if (family !== current || family.samples.length > 0) {
        throw new Error(`# ${keyword} for ${name} after its samples or apart from its family: ${line}`);
      }
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`unknown type: ${line}`);
        family.type = rest as MetricType;
      } else {
        family.help = rest.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = SAMPLE.exec(line);
    if (!sample || sample[1] === undefined || sample[3] === undefined) throw new Error(`not a sample: ${line}`);
    const name = sample[1];
    const family =
      current !== undefined && SUFFIXES[current.type].some((suffix) => name === current?.name + suffix)
        ? current
        : undefined;
    if (family === undefined) throw new Error(`sample outside its family (declare # TYPE first): ${line}`);
    family.samples.push({ name, labels: parseLabels(sample[2] ?? '', line), value: parseValue(sample[3], line) });
  }
  const all = [...families.values()];
  for (const family of all) if (family.type === 'histogram') checkHistogram(family);
  return all;
}

/** Per label set: buckets that never decrease, a `+Inf` bucket equal to `_count`, and a `_sum`. */
function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([parseValue(le, le), sample.value]);
    } else if (sample.name.endsWith('_sum')) entry.sum = sample.value;
    else entry.count = sample.value;
  }
  for (const [key, { buckets, sum, count }] of series) {
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.some(([, value], i) => i > 0 && value < (sorted[i - 1]?.[1] ?? 0)))
      throw new Error(`${family.name} ${key}: buckets decrease`);
    if (sorted.at(-1)?.[0] !== Infinity || sorted.at(-1)?.[1] !== count || sum === undefined) {
      throw new Error(`${family.name} ${key}: needs a +Inf bucket equal to _count, and a _sum`);
    }
  }
}

/** The samples named `sampleName` (e.g. `x_count`) whose labels include `labels`. */
export function samplesOf(families: MetricFamily[], sampleName: string, labels: Record<string, string> = {}): Sample[] {
  return families
    .flatMap((f) => f.samples)
    .filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
