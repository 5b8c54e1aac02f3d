// The upload queue: each dropped file is checked against the server's limits (GET /uploads/limits)
// before anything is sent, then goes POST /uploads -> PUT to S3 (with progress) -> complete. Kept
// free of React and of the API client so the order of steps and the refusals are testable.

export interface FileKindLimit {
  extension: string;
  content_type: string;
  accepted: string[];
  extracted: boolean;
}

export interface UploadLimits {
  max_bytes: number;
  kinds: FileKindLimit[];
}

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

export type UploadStatus = "refused" | "queued" | "uploading" | "completing" | "done" | "failed";

export interface UploadItem {
  id: string;
  name: string;
  size: number;
  status: UploadStatus;
  /** Bytes sent to S3 so far. */
  loaded: number;
  error: string | null;
  attachmentId: string | null;
  /** The extraction job started for the file (DXF, PDF, STEP, IFC), once complete. */
  jobId: string | null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

/** The kind of file the server would take this file as, or undefined. */
export function kindOf(file: FileLike, limits: UploadLimits): FileKindLimit | undefined {
  const extension = extensionOf(file.name);
  return limits.kinds.find((kind) => kind.extension === extension);
}

/** Why the server would refuse the file (the same checks as POST /uploads), or null. */
export function refusalReason(file: FileLike, limits: UploadLimits): string | null {
  if (file.size === 0) return "The file is empty.";
  if (file.size > limits.max_bytes) {
    return `The file is ${formatBytes(file.size)}; uploads are limited to ${formatBytes(limits.max_bytes)}.`;
  }
  const kind = kindOf(file, limits);
  if (!kind) {
    const extension = extensionOf(file.name);
    return extension ? `${extension} files cannot be uploaded.` : "Files without an extension cannot be uploaded.";
  }
  // Browsers know no type for CAD files and send "" (we then send octet-stream).
  const declared = file.type.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  if (declared && declared !== "application/octet-stream" && declared !== kind.content_type && !kind.accepted.includes(declared)) {
    return `A ${kind.extension} file cannot have the type ${declared}.`;
  }
  return null;
}

let counter = 0;

/** New queue items for dropped files: refused ones carry their reason and are never sent. */
export function enqueue(files: readonly FileLike[], limits: UploadLimits): UploadItem[] {
  return files.map((file) => {
    counter += 1;
    const reason = refusalReason(file, limits);
    return {
      id: `upload-${counter}`,
      name: file.name,
      size: file.size,
      status: reason ? "refused" : "queued",
      loaded: 0,
      error: reason,
      attachmentId: null,
      jobId: null,
    };
  });
}

/** Share of the bytes sent, 0-100 (a completed upload is 100). */
export function percent(item: UploadItem): number {
  if (item.status === "done" || item.status === "completing") return 100;
  if (item.size <= 0) return 0;
  return Math.min(100, Math.floor((item.loaded / item.size) * 100));
}

export interface UploadTarget {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface UploadSteps {
  create: (file: FileLike) => Promise<{ attachmentId: string; target: UploadTarget }>;
  put: (target: UploadTarget, file: FileLike, onProgress: (loaded: number) => void) => Promise<void>;
  complete: (attachmentId: string) => Promise<{ jobId: string | null }>;
  /** Undo what `create` made for a file whose upload then failed (a record made for it). */
  abandon?: (file: FileLike) => Promise<void>;
}

/**
 * Run one file through the three steps, reporting each state change. Never throws: a failure ends as
 * a "failed" item with the server's message.
 */
export async function runUpload(
  item: UploadItem,
  file: FileLike,
  steps: UploadSteps,
  update: (patch: Partial<UploadItem>) => void,
): Promise<void> {
  if (item.status !== "queued") return;
  try {
    update({ status: "uploading", loaded: 0, error: null });
    const created = await steps.create(file);
    update({ attachmentId: created.attachmentId });
    await steps.put(created.target, file, (loaded) => update({ loaded }));
    update({ status: "completing", loaded: file.size });
    const done = await steps.complete(created.attachmentId);
    update({ status: "done", jobId: done.jobId });
  } catch (error) {
    await steps.abandon?.(file).catch(() => undefined);
    update({ status: "failed", error: error instanceof Error ? error.message : String(error) });
  }
}

/** Run the queued items, at most `concurrency` at a time. */
export async function runAll(
  items: readonly UploadItem[],
  files: ReadonlyMap<string, FileLike>,
  steps: UploadSteps,
  update: (id: string, patch: Partial<UploadItem>) => void,
  concurrency = 3,
): Promise<void> {
  const pending = items.filter((item) => item.status === "queued");
  let next = 0;
  async function worker(): Promise<void> {
    while (next < pending.length) {
      const item = pending[next];
      next += 1;
      const file = item ? files.get(item.id) : undefined;
      if (!item || !file) continue;
      await runUpload(item, file, steps, (patch) => update(item.id, patch));
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, () => worker()));
}

interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  upload: { onprogress: ((event: { loaded: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  status: number;
}

/** PUT the file to the presigned URL with XMLHttpRequest, which (unlike fetch) reports upload progress. */
export function putWithProgress(
  target: UploadTarget,
  body: unknown,
  onProgress: (loaded: number) => void,
  // XMLHttpRequest types its handlers with `this` and a full ProgressEvent; the shape used is the same.
  createXhr: () => XhrLike = () => new XMLHttpRequest() as unknown as XhrLike,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = createXhr();
    xhr.open(target.method, target.url);
    for (const [name, value] of Object.entries(target.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new Error(`The file could not be uploaded (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () => reject(new Error("The file could not be uploaded: the network failed."));
    xhr.onabort = () => reject(new Error("The upload was cancelled."));
    xhr.send(body);
  });
}
