import { describe, expect, it } from "vitest";

import {
  enqueue,
  percent,
  putWithProgress,
  refusalReason,
  runAll,
  type FileLike,
  type UploadItem,
  type UploadLimits,
  type UploadSteps,
} from "@/features/files/lib/upload-queue";

const limits: UploadLimits = {
  max_bytes: 1000,
  kinds: [
    { extension: ".dxf", content_type: "image/vnd.dxf", accepted: ["application/dxf"], extracted: true },
    { extension: ".pdf", content_type: "application/pdf", accepted: [], extracted: true },
    { extension: ".png", content_type: "image/png", accepted: [], extracted: false },
  ],
};

const file = (name: string, size: number, type = ""): FileLike => ({ name, size, type });

describe("refusalReason", () => {
  it("takes files the server would take", () => {
    expect(refusalReason(file("Part.DXF", 10), limits)).toBeNull();
    expect(refusalReason(file("a.dxf", 1000, "application/dxf"), limits)).toBeNull();
    expect(refusalReason(file("a.pdf", 10, "application/pdf; charset=binary"), limits)).toBeNull();
    expect(refusalReason(file("a.pdf", 10, "application/octet-stream"), limits)).toBeNull();
  });

  it("refuses oversized, empty, unknown and mistyped files with the server's limits", () => {
    expect(refusalReason(file("a.dxf", 1001), limits)).toMatch(/limited to 1000 B/);
    expect(refusalReason(file("a.dxf", 0), limits)).toBe("The file is empty.");
    expect(refusalReason(file("virus.exe", 10), limits)).toBe(".exe files cannot be uploaded.");
    expect(refusalReason(file("README", 10), limits)).toMatch(/without an extension/);
    expect(refusalReason(file("a.pdf", 10, "image/png"), limits)).toBe("A .pdf file cannot have the type image/png.");
  });

  it("enqueues refused files with their reason and the rest as queued", () => {
    const items = enqueue([file("a.dxf", 10), file("b.exe", 10), file("c.pdf", 5000)], limits);
    expect(items.map((i) => i.status)).toEqual(["queued", "refused", "refused"]);
    expect(items[2]?.error).toMatch(/limited/);
    expect(new Set(items.map((i) => i.id)).size).toBe(3);
  });
});

function fakeSteps(log: string[], failOn?: string): UploadSteps {
  return {
    create: async (f) => {
      log.push(`create ${f.name}`);
      if (failOn === `create ${f.name}`) throw new Error("This kind of file cannot be uploaded.");
      return { attachmentId: `att-${f.name}`, target: { method: "PUT", url: `s3://${f.name}`, headers: {} } };
    },
    put: async (target, f, onProgress) => {
      log.push(`put ${target.url}`);
      onProgress(Math.floor(f.size / 2));
      await Promise.resolve();
      onProgress(f.size);
    },
    complete: async (id) => {
      log.push(`complete ${id}`);
      return { jobId: id.endsWith(".dxf") ? "job1" : null };
    },
  };
}

describe("runAll", () => {
  it("sends queued files through create, put with progress and complete; refused ones never", async () => {
    const files = [file("a.dxf", 100), file("b.exe", 10), file("c.png", 40)];
    let items = enqueue(files, limits);
    const byId = new Map(items.map((item, i) => [item.id, files[i] as FileLike]));
    const log: string[] = [];
    const seen: Record<string, number[]> = {};
    await runAll(items, byId, fakeSteps(log), (id, patch) => {
      items = items.map((item) => (item.id === id ? { ...item, ...patch } : item));
      const current = items.find((item) => item.id === id) as UploadItem;
      (seen[current.name] ??= []).push(percent(current));
    });
    expect(log.filter((l) => l.includes("b.exe"))).toEqual([]);
    expect(log.filter((l) => l.includes("a.dxf"))).toEqual(["create a.dxf", "put s3://a.dxf", "complete att-a.dxf"]);
    expect(items.map((i) => i.status)).toEqual(["done", "refused", "done"]);
    expect(items[0]?.jobId).toBe("job1");
    expect(items[2]?.jobId).toBeNull();
    expect(seen["a.dxf"]).toContain(50);
    expect(seen["a.dxf"]?.at(-1)).toBe(100);
  });

  it("ends a failing file as failed with the server's message and goes on with the others", async () => {
    const files = [file("a.dxf", 10), file("b.pdf", 10)];
    let items = enqueue(files, limits);
    const byId = new Map(items.map((item, i) => [item.id, files[i] as FileLike]));
    const log: string[] = [];
    await runAll(items, byId, fakeSteps(log, "create a.dxf"), (id, patch) => {
      items = items.map((item) => (item.id === id ? { ...item, ...patch } : item));
    }, 1);
    expect(items.map((i) => [i.status, i.error])).toEqual([
      ["failed", "This kind of file cannot be uploaded."],
      ["done", null],
    ]);
  });
});

describe("putWithProgress", () => {
  function fakeXhr(status: number) {
    const calls: string[] = [];
    const xhr = {
      status,
      upload: { onprogress: null as ((e: { loaded: number; lengthComputable: boolean }) => void) | null },
      onload: null as (() => void) | null,
      onerror: null as (() => void) | null,
      onabort: null as (() => void) | null,
      open: (m: string, u: string) => calls.push(`${m} ${u}`),
      setRequestHeader: (n: string, v: string) => calls.push(`${n}: ${v}`),
      send: () => {
        xhr.upload.onprogress?.({ loaded: 5, lengthComputable: true });
        xhr.upload.onprogress?.({ loaded: 7, lengthComputable: false });
        xhr.upload.onprogress?.({ loaded: 10, lengthComputable: true });
        xhr.onload?.();
      },
    };
    return { xhr, calls };
  }

  it("PUTs with the presigned headers and reports progress", async () => {
    const { xhr, calls } = fakeXhr(200);
    const progress: number[] = [];
    await putWithProgress({ method: "PUT", url: "http://s3/x", headers: { "content-type": "image/vnd.dxf" } }, "body", (n) => progress.push(n), () => xhr);
    expect(calls).toEqual(["PUT http://s3/x", "content-type: image/vnd.dxf"]);
    expect(progress).toEqual([5, 10]);
  });

  it("rejects on an HTTP error from S3", async () => {
    const { xhr } = fakeXhr(403);
    await expect(putWithProgress({ method: "PUT", url: "u", headers: {} }, "b", () => undefined, () => xhr)).rejects.toThrow(
      "HTTP 403",
    );
  });
});
