// Comment mentions: the API stores them as @[usr…] in the text and returns the people mentioned.

export interface Person {
  id: string;
  name: string;
}

export type Segment = { kind: "text"; text: string } | { kind: "mention"; id: string; name: string };

const MENTION = /@\[(usr[A-Za-z0-9]+)\]/g;

/** The comment's text split into plain text and mentions (named when the person is known). */
export function segments(text: string, people: readonly Person[]): Segment[] {
  const names = new Map(people.map((p) => [p.id, p.name]));
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const index = match.index ?? 0;
    if (index > last) out.push({ kind: "text", text: text.slice(last, index) });
    const id = match[1] ?? "";
    out.push({ kind: "mention", id, name: names.get(id) ?? id });
    last = index + match[0].length;
  }
  if (last < text.length) out.push({ kind: "text", text: text.slice(last) });
  return out;
}

/** The word being typed after an "@" just before the caret, or null when none is. */
export function mentionQuery(text: string, caret: number): string | null {
  const before = text.slice(0, caret);
  const match = /(?:^|\s)@([^\s@[\]]*)$/.exec(before);
  return match ? (match[1] ?? "") : null;
}

/** Replace the "@word" before the caret with the person's mention; returns the text and new caret. */
export function insertMention(text: string, caret: number, person: Person): { text: string; caret: number } {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf("@");
  const token = `@[${person.id}] `;
  const next = text.slice(0, at) + token + text.slice(caret);
  return { text: next, caret: at + token.length };
}

/** People whose name starts with (first) or contains the query. */
export function suggestions(people: readonly Person[], query: string, limit = 6): Person[] {
  const q = query.toLowerCase();
  const starts = people.filter((p) => p.name.toLowerCase().startsWith(q));
  const contains = people.filter((p) => !p.name.toLowerCase().startsWith(q) && p.name.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, limit);
}
