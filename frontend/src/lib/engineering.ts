// Reading engineering values as typed (the record panel, the grid's cell editor and its expanded
// record), before they are sent: the same grammar the API's dimension, thread, material and surface
// finish types accept, so a mistake is shown while typing instead of after a round trip. The API stays the last word (the write goes out as text with
// typecast and is parsed there again).

export type Reading = { ok: true; text: string } | { ok: false; error: string };

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
const UNIT = String.raw`(?:mm|cm|um|µm|μm|microns?|millimet(?:er|re)s?|met(?:er|re)s?|m|inch(?:es)?|in|feet|foot|ft|"|″|'|′)`;
const TOLERANCE = new RegExp(
  String.raw`^\s*(?<value>${NUM})\s*(?<unit1>${UNIT})?\s*(?:(?:±|\+/-|\+-|\+/−)\s*(?<sym>${NUM})|\+\s*(?<plus>${NUM})\s*/\s*[-−]\s*(?<minus>${NUM}))?\s*(?<unit2>${UNIT})?\s*$`,
  "i",
);
const LIMITS = new RegExp(String.raw`^\s*(?<lower>${NUM})\s*(?<unit1>${UNIT})?\s*(?:\.\.|–|—|to|/)\s*(?<upper>${NUM})\s*(?<unit2>${UNIT})?\s*$`, "i");

const UNITS: Record<string, string> = {
  mm: "mm", millimeter: "mm", millimetre: "mm", millimeters: "mm", millimetres: "mm",
  cm: "cm", m: "m", meter: "m", metre: "m", meters: "m", metres: "m",
  in: "in", inch: "in", inches: "in", '"': "in", "″": "in",
  ft: "ft", foot: "ft", feet: "ft", "'": "ft", "′": "ft",
  um: "um", "µm": "um", "μm": "um", micron: "um", microns: "um",
};

function unitOf(raw: string | undefined, fallback: string): string {
  return raw ? (UNITS[raw.toLowerCase()] ?? fallback) : fallback;
}

/** Numbers as the API shows them: no trailing zeros, no exponent. */
function num(raw: string): string {
  return String(Number(raw));
}

export function readDimension(input: string, defaultUnit = "mm"): Reading {
  const tol = TOLERANCE.exec(input)?.groups;
  if (tol?.value !== undefined) {
    if (tol.unit1 && tol.unit2 && unitOf(tol.unit1, "") !== unitOf(tol.unit2, "")) {
      return { ok: false, error: "A dimension and its tolerance must use the same unit." };
    }
    const unit = unitOf(tol.unit2 ?? tol.unit1, defaultUnit);
    const value = num(tol.value);
    if (tol.sym !== undefined) return { ok: true, text: `${value} ±${num(String(Math.abs(Number(tol.sym))))} ${unit}` };
    if (tol.plus !== undefined && tol.minus !== undefined) return { ok: true, text: `${value} +${num(tol.plus)}/-${num(tol.minus)} ${unit}` };
    return { ok: true, text: `${value} ${unit}` };
  }
  const lim = LIMITS.exec(input)?.groups;
  if (lim?.lower !== undefined && lim.upper !== undefined) {
    if (Number(lim.lower) > Number(lim.upper)) return { ok: false, error: "The lower limit is above the upper limit." };
    return { ok: true, text: `${num(lim.lower)}..${num(lim.upper)} ${unitOf(lim.unit2 ?? lim.unit1, defaultUnit)}` };
  }
  return { ok: false, error: "Not a dimension: type e.g. 10.5 ±0.1 mm, 10.5 +0.2/-0.1 or 10.4..10.6 mm." };
}

const METRIC = /^M\s*(?<d>\d+(?:\.\d+)?)(?:\s*[x×]\s*(?<p>\d+(?:\.\d+)?))?(?:\s*-\s*(?<cls>\d[a-h](?:\d[a-h])?))?(?:\s*(?<hand>LH|RH))?$/i;
const INCH =
  /^(?:#(?<num>\d{1,2})|(?<frac>\d+\/\d+|\d+(?:\.\d+)?|\d+-\d+\/\d+))\s*"?\s*-\s*(?<tpi>\d+(?:\.\d+)?)(?:\s*(?<series>UNC|UNF|UNEF|UNS|UN|NPT|NPTF|BSPT|BSPP|NPS))?(?:\s*-\s*(?<cls>[123][AB]))?(?:\s*(?<hand>LH|RH))?$/i;
const PIPE = /^(?<series>G|R|Rc|Rp)\s*(?<frac>\d+(?:\s*\d+)?\/\d+|\d+)$/i;
const NUMBERED_SIZES = new Set(["0", "1", "2", "3", "4", "5", "6", "8", "10", "12"]);

export function readThread(input: string): Reading {
  const text = input.trim().split(/\s+/).join(" ");
  if (METRIC.test(text) || PIPE.test(text)) return { ok: true, text };
  const inch = INCH.exec(text)?.groups;
  if (inch) {
    if (inch.num !== undefined && !NUMBERED_SIZES.has(inch.num)) return { ok: false, error: `#${inch.num} is not a numbered screw size.` };
    if (inch.frac?.includes("/") && Number(inch.frac.split("/").at(-1)) === 0) return { ok: false, error: "A thread size cannot divide by zero." };
    return { ok: true, text };
  }
  return { ok: false, error: "Not a thread: type e.g. M8x1.25-6g, 1/4-20 UNC-2A, #10-32 UNF or G1/2." };
}

const GRADES: Record<string, string> = {
  N1: "0.025", N2: "0.05", N3: "0.1", N4: "0.2", N5: "0.4", N6: "0.8",
  N7: "1.6", N8: "3.2", N9: "6.3", N10: "12.5", N11: "25", N12: "50",
};
const FINISH = new RegExp(
  String.raw`^(?:(?<p1>Ra|Rz|Rq|Rt)\s*)?(?<value>${NUM})\s*(?<unit>µm|μm|um|micron|microns|µin|μin|uin|microinch|microinches)?(?:\s*(?<p2>Ra|Rz|Rq|Rt))?$`,
  "i",
);

export function readSurfaceFinish(input: string): Reading {
  const text = input.trim().split(/\s+/).join(" ");
  const grade = GRADES[text.toUpperCase()];
  if (grade) return { ok: true, text: `Ra ${grade} µm (${text.toUpperCase()})` };
  const m = FINISH.exec(text)?.groups;
  if (!m?.value || (m.p1 && m.p2)) return { ok: false, error: "Not a surface finish: type e.g. Ra 1.6 µm, Ra 63 µin or N7." };
  if (Number(m.value) <= 0) return { ok: false, error: "A roughness value is positive." };
  const parameter = (m.p1 ?? m.p2 ?? "Ra").toLowerCase();
  const inches = /in|inch/i.test(m.unit ?? "");
  return { ok: true, text: `${parameter[0]?.toUpperCase() ?? "R"}${parameter.slice(1)} ${num(m.value)} ${inches ? "µin" : "µm"}` };
}

export function readMaterial(input: string): Reading {
  const text = input.trim().split(/\s+/).join(" ");
  if (text.length > 200) return { ok: false, error: "A material name has 1 to 200 characters." };
  return { ok: true, text };
}

/** The reader of a structured engineering field type, if the type is one. */
export const ENGINEERING_READERS: Record<string, (input: string, options: Record<string, unknown>) => Reading> = {
  dimension: (input, options) => readDimension(input, typeof options.unit === "string" ? options.unit : "mm"),
  thread: (input) => readThread(input),
  material: (input) => readMaterial(input),
  surface_finish: (input) => readSurfaceFinish(input),
};

/** The reading of `text` for a field of `fieldType`: null when the type is not one or there is nothing to read. */
export function readEngineering(fieldType: string, options: Record<string, unknown>, text: string): Reading | null {
  const reader = ENGINEERING_READERS[fieldType];
  return reader && text.trim() !== "" ? reader(text, options) : null;
}

/** A stored engineering value as text that reads back to the same value (what the editor starts from). */
export function engineeringText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "object") return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v.display === "string") return v.display;
  if (typeof v.designation === "string") return v.designation;
  if (typeof v.parameter === "string" && (typeof v.value === "number" || typeof v.value === "string")) {
    return `${v.parameter} ${String(v.value)} ${v.unit === "uin" ? "µin" : "µm"}`;
  }
  if (typeof v.name === "string") return v.name;
  return "";
}
