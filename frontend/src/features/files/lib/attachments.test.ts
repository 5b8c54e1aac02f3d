import { describe, expect, it } from "vitest";

import { attachmentsOf, MAX_SCALE, panBy, viewerKind, zoomAt } from "@/features/files/lib/attachments";

describe("attachments", () => {
  it("reads attachment values and picks the viewer", () => {
    const [dxf, pdf, png, zip] = attachmentsOf([
      { id: "att1", filename: "part.dxf", type: "image/vnd.dxf", size: 10, url: "u1", thumbnails: [{ url: "svg", type: "image/svg+xml" }] },
      { id: "att2", filename: "spec.pdf", type: "application/pdf", size: 10, url: "u2", thumbnails: [] },
      { id: "att3", filename: "photo.png", type: "image/png", size: 10, url: "u3" },
      { id: "att4", filename: "a.zip", type: "application/zip" },
      "junk",
    ]);
    expect(dxf && viewerKind(dxf)).toBe("drawing");
    expect(pdf && viewerKind(pdf)).toBe("pdf");
    expect(png && viewerKind(png)).toBe("image");
    expect(zip && viewerKind(zip)).toBe("none");
    expect(attachmentsOf(null)).toEqual([]);
  });

  it("zooms around the cursor and pans", () => {
    const zoomed = zoomAt({ scale: 1, x: 0, y: 0 }, 2, 100, 50);
    // The drawing point under the cursor (100, 50) stays under it.
    expect(zoomed).toEqual({ scale: 2, x: -100, y: -50 });
    expect((100 - zoomed.x) / zoomed.scale).toBe(100);
    expect(zoomAt({ scale: 30, x: 0, y: 0 }, 10, 0, 0).scale).toBe(MAX_SCALE);
    expect(panBy(zoomed, 10, -5)).toEqual({ scale: 2, x: -90, y: -55 });
  });
});
