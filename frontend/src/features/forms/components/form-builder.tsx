// The form builder of a form view: title, description and thank-you message; which fields are asked,
// in which order, with their label, help text and whether they are required; and sharing (a public
// link that works signed out; turning sharing off and on again makes a new link). Each change is
// saved in the view's config.
import { ArrowDown, ArrowUp } from "lucide-react";
import { useEffect, useState } from "react";

import { CopyButton } from "@/components/copy-button";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { shareLink } from "@/features/forms/api/forms";
import type { FieldDef } from "@/types/api";

// Computed fields cannot be typed into a form (views/registry.py READ_ONLY_TYPES); files, linked
// records and people need pickers the signed-out form page does not have.
const NOT_IN_FORMS = new Set([
  "autonumber", "created_time", "last_modified_time", "created_by", "last_modified_by", "formula", "rollup", "lookup", "count",
  "attachment", "link", "user",
]);

export interface FormItem {
  field_id: string;
  required: boolean;
  label: string | null;
  help: string | null;
}

export function formItems(config: Record<string, unknown>): FormItem[] {
  const raw = Array.isArray(config.fields) ? (config.fields as Partial<FormItem>[]) : [];
  return raw
    .filter((item): item is Partial<FormItem> & { field_id: string } => typeof item?.field_id === "string")
    .map((item) => ({ field_id: item.field_id, required: Boolean(item.required), label: item.label ?? null, help: item.help ?? null }));
}

/** A text setting saved when the input loses focus (not at every key). */
function SavedText({ label, value, multiline, onSave, disabled }: { label: string; value: string; multiline?: boolean; onSave: (v: string) => void; disabled: boolean }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const props = {
    "aria-label": label,
    value: text,
    disabled,
    onChange: (e: { target: { value: string } }) => setText(e.target.value),
    onBlur: () => {
      if (text !== value) onSave(text);
    },
  };
  return multiline ? <Textarea {...props} rows={2} /> : <Input {...props} />;
}

export function FormBuilder({
  view,
  fields,
  canEdit,
  onSaveConfig,
}: {
  view: { id: string; name: string; config: Record<string, unknown> };
  fields: FieldDef[];
  canEdit: boolean;
  onSaveConfig: (patch: Record<string, unknown>) => Promise<void> | void;
}) {
  const config = view.config;
  const items = formItems(config);
  const byId = new Map(fields.map((f) => [f.id, f]));
  const listed = items.filter((item) => byId.has(item.field_id));
  const available = fields.filter((f) => !NOT_IN_FORMS.has(f.type) && !listed.some((i) => i.field_id === f.id));
  const save = (next: FormItem[]) => void onSaveConfig({ fields: next });
  const update = (index: number, patch: Partial<FormItem>) => save(listed.map((item, i) => (i === index ? { ...item, ...patch } : item)));
  const move = (index: number, by: number) => {
    const next = [...listed];
    const [item] = next.splice(index, 1);
    if (!item) return;
    next.splice(index + by, 0, item);
    save(next);
  };
  const token = typeof config.share_token === "string" ? config.share_token : null;
  const link = config.public && token ? shareLink(view.id, token) : null;

  return (
    <div className="min-h-0 flex-1 overflow-y-auto p-4" data-testid="form-builder">
      <div className="mx-auto grid max-w-2xl gap-4">
        <section className="grid gap-2 rounded-md border p-3" aria-labelledby="form-sharing">
          <h2 id="form-sharing" className="text-sm font-semibold">
            Sharing
          </h2>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={Boolean(config.public)} disabled={!canEdit} onChange={(e) => void onSaveConfig({ public: e.target.checked })} data-testid="form-public" />
            Anyone with the link can fill in this form, without signing in
          </label>
          {link ? (
            <div className="flex items-center gap-2">
              <Input readOnly value={link} aria-label="Public link of the form" data-testid="form-share-link" className="font-mono text-xs" />
              <CopyButton value={link} label="Copy link" />
              <a className="text-sm underline" href={link} target="_blank" rel="noreferrer">
                Open
              </a>
            </div>
          ) : (
            <p className="text-xs text-muted-foreground">Signed-in editors can fill it in at <a className="underline" href={`/form/${view.id}`}>its page</a>.</p>
          )}
        </section>
        <section className="grid gap-2" aria-label="Form text">
          <label className="grid gap-1 text-sm font-medium">
            Title
            <SavedText label="Form title" value={typeof config.title === "string" ? config.title : ""} disabled={!canEdit} onSave={(v) => void onSaveConfig({ title: v || null })} />
          </label>
          <label className="grid gap-1 text-sm font-medium">
            Description
            <SavedText label="Form description" multiline value={typeof config.description === "string" ? config.description : ""} disabled={!canEdit} onSave={(v) => void onSaveConfig({ description: v || null })} />
          </label>
          <label className="grid gap-1 text-sm font-medium">
            Message after submitting
            <SavedText label="Thank-you message" multiline value={typeof config.submit_message === "string" ? config.submit_message : ""} disabled={!canEdit} onSave={(v) => void onSaveConfig({ submit_message: v || null })} />
          </label>
        </section>
        <section className="grid gap-2" aria-labelledby="form-questions">
          <h2 id="form-questions" className="text-sm font-semibold">
            Questions
          </h2>
          <ol className="grid gap-2">
            {listed.map((item, index) => {
              const field = byId.get(item.field_id);
              if (!field) return null;
              return (
                <li key={item.field_id} className="grid gap-2 rounded-md border p-3" data-testid="form-builder-field">
                  <div className="flex items-center gap-2">
                    <span className="font-medium">{field.name}</span>
                    <span className="text-xs text-muted-foreground">{field.type}</span>
                    <label className="ml-auto flex items-center gap-1 text-sm">
                      <input type="checkbox" checked={item.required} disabled={!canEdit} onChange={(e) => update(index, { required: e.target.checked })} />
                      Required
                    </label>
                    <Button variant="ghost" size="sm" aria-label={`Move ${field.name} up`} disabled={!canEdit || index === 0} onClick={() => move(index, -1)}>
                      <ArrowUp className="h-4 w-4" aria-hidden />
                    </Button>
                    <Button variant="ghost" size="sm" aria-label={`Move ${field.name} down`} disabled={!canEdit || index === listed.length - 1} onClick={() => move(index, 1)}>
                      <ArrowDown className="h-4 w-4" aria-hidden />
                    </Button>
                    <Button variant="ghost" size="sm" disabled={!canEdit} onClick={() => save(listed.filter((_, i) => i !== index))}>
                      Remove
                    </Button>
                  </div>
                  <SavedText label={`Label of ${field.name}`} value={item.label ?? ""} disabled={!canEdit} onSave={(v) => update(index, { label: v || null })} />
                  <SavedText label={`Help text of ${field.name}`} value={item.help ?? ""} disabled={!canEdit} onSave={(v) => update(index, { help: v || null })} />
                </li>
              );
            })}
          </ol>
          {listed.length === 0 ? <p className="text-sm text-muted-foreground">No questions yet: add fields below.</p> : null}
          {available.length > 0 && canEdit ? (
            <div className="flex flex-wrap gap-1" aria-label="Fields to add">
              {available.map((field) => (
                <Button key={field.id} variant="outline" size="sm" onClick={() => save([...listed, { field_id: field.id, required: false, label: null, help: null }])}>
                  + {field.name}
                </Button>
              ))}
            </div>
          ) : null}
        </section>
      </div>
    </div>
  );
}
