import { describe, expect, it } from "vitest";

import { insertMention, mentionQuery, segments, suggestions } from "@/features/records/lib/mentions";

const people = [
  { id: "usrAda1", name: "Ada Lovelace" },
  { id: "usrBob1", name: "Bob" },
  { id: "usrCad1", name: "Nadia" },
];

describe("mentions", () => {
  it("splits a comment into text and named mentions", () => {
    expect(segments("ping @[usrAda1] and @[usrZzz9]!", people)).toEqual([
      { kind: "text", text: "ping " },
      { kind: "mention", id: "usrAda1", name: "Ada Lovelace" },
      { kind: "text", text: " and " },
      { kind: "mention", id: "usrZzz9", name: "usrZzz9" },
      { kind: "text", text: "!" },
    ]);
  });

  it("finds the word typed after @ and replaces it with the mention", () => {
    expect(mentionQuery("hello @ad", 9)).toBe("ad");
    expect(mentionQuery("hello @", 7)).toBe("");
    expect(mentionQuery("mail a@b", 8)).toBeNull();
    expect(mentionQuery("hello @ad done", 14)).toBeNull();
    expect(insertMention("hi @ad!", 6, people[0]!)).toEqual({ text: "hi @[usrAda1] !", caret: 14 });
  });

  it("suggests names starting with the query first, then containing it", () => {
    expect(suggestions(people, "ad").map((p) => p.name)).toEqual(["Ada Lovelace", "Nadia"]);
    expect(suggestions(people, "").length).toBe(3);
  });
});
