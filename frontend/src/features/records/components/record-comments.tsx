// Comments on a record, with @mentions completed from the people who can see the table.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type KeyboardEvent } from "react";

import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { addComment, commentsQuery, type Comment } from "@/features/records/api/records";
import { insertMention, mentionQuery, segments, suggestions, type Person } from "@/features/records/lib/mentions";
import { errorMessage } from "@/lib/api/errors";
import { cn } from "@/lib/utils";

function CommentText({ comment, people }: { comment: Comment; people: readonly Person[] }) {
  const known = [...people, ...comment.mentions.map((m) => ({ id: m.id, name: m.name ?? m.id }))];
  return (
    <p className="whitespace-pre-wrap">
      {segments(comment.text, known).map((segment, i) =>
        segment.kind === "text" ? (
          <span key={i}>{segment.text}</span>
        ) : (
          <span key={i} className="rounded bg-accent px-1 font-medium" data-testid="mention">
            @{segment.name}
          </span>
        ),
      )}
    </p>
  );
}

export function RecordComments({
  tableId,
  recordId,
  people,
  canComment,
}: {
  tableId: string;
  recordId: string;
  people: readonly Person[];
  canComment: boolean;
}) {
  const queryClient = useQueryClient();
  const comments = useQuery(commentsQuery(tableId, recordId));
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const query = mentionQuery(text, caret);
  const options = query === null ? [] : suggestions(people, query);
  const post = useMutation({
    mutationFn: (body: string) => addComment(tableId, recordId, body),
    onSuccess: () => {
      setText("");
      setCaret(0);
      void queryClient.invalidateQueries({ queryKey: commentsQuery(tableId, recordId).queryKey });
    },
  });

  function pick(person: Person) {
    const next = insertMention(text, caret, person);
    setText(next.text);
    setCaret(next.caret);
    setActive(0);
    requestAnimationFrame(() => area.current?.setSelectionRange(next.caret, next.caret));
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (options.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        setActive((i) => (i + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        const person = options[active];
        if (person) pick(person);
        return;
      }
    }
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey) && text.trim()) {
      event.preventDefault();
      post.mutate(text.trim());
    }
  }

  return (
    <div className="space-y-3 text-sm" data-testid="record-comments">
      {comments.isError ? <p className="text-destructive">{errorMessage(comments.error)}</p> : null}
      <ul className="space-y-2">
        {(comments.data ?? []).map((comment) => (
          <li key={comment.id} className="rounded-md border p-2" data-testid="comment">
            <p className="text-muted-foreground text-xs">
              <span className="text-foreground font-medium">{comment.author?.name ?? "Someone"}</span> ·{" "}
              {new Date(comment.created_at).toLocaleString()}
            </p>
            <CommentText comment={comment} people={people} />
          </li>
        ))}
        {comments.data && comments.data.length === 0 ? <li className="text-muted-foreground">No comments yet.</li> : null}
      </ul>
      {canComment ? (
        <form
          className="relative space-y-2"
          onSubmit={(event) => {
            event.preventDefault();
            if (text.trim()) post.mutate(text.trim());
          }}
        >
          <Textarea
            ref={area}
            aria-label="New comment"
            placeholder="Comment; @ to mention someone"
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setCaret(event.target.selectionStart);
              setActive(0);
            }}
            onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
          />
          {options.length ? (
            <ul role="listbox" aria-label="People to mention" className="bg-popover absolute z-10 w-56 rounded-md border p-1 shadow">
              {options.map((person, i) => (
                <li
                  key={person.id}
                  role="option"
                  aria-selected={i === active}
                  className={cn("cursor-pointer rounded px-2 py-1", i === active && "bg-accent")}
                  onMouseDown={(event) => {
                    event.preventDefault();
                    pick(person);
                  }}
                >
                  {person.name}
                </li>
              ))}
            </ul>
          ) : null}
          {post.isError ? <p className="text-destructive text-xs">{errorMessage(post.error)}</p> : null}
          <Button type="submit" size="sm" disabled={!text.trim() || post.isPending}>
            Comment
          </Button>
        </form>
      ) : null}
    </div>
  );
}
