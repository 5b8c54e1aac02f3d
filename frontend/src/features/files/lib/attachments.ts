// Attachment values as records carry them (signed URLs, previews), and the zoom/pan maths of the
// drawing viewer.

export interface Preview {
  url: string;
  type: string;
  width?: number | null;
  height?: number | null;
}

export interface AttachmentValue {
  id: string;
  filename: string;
  type: string;
  size: number | null;
  url: string | null;
  thumbnails: Preview[];
}

export function attachmentsOf(value: unknown): AttachmentValue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((raw) => {
    if (!raw || typeof raw !== "object") return [];
    const item = raw as Record<string, unknown>;
    if (typeof item.id !== "string") return [];
    const thumbs = Array.isArray(item.thumbnails) ? item.thumbnails : [];
    return [
      {
        id: item.id,
        filename: typeof item.filename === "string" ? item.filename : item.id,
        type: typeof item.type === "string" ? item.type : "application/octet-stream",
        size: typeof item.size === "number" ? item.size : null,
        url: typeof item.url === "string" ? item.url : null,
        thumbnails: thumbs.filter((t): t is Preview => Boolean(t) && typeof (t as Preview).url === "string"),
      },
    ];
  });
}

export type ViewerKind = "drawing" | "pdf" | "image" | "none";

/** How the viewer shows a file: a DXF's SVG preview zoomable, a PDF's page images or the PDF itself. */
export function viewerKind(attachment: AttachmentValue): ViewerKind {
  const name = attachment.filename.toLowerCase();
  if (name.endsWith(".pdf") || attachment.type === "application/pdf") return "pdf";
  if (attachment.thumbnails.length && (name.endsWith(".dxf") || attachment.type === "image/vnd.dxf")) return "drawing";
  if (attachment.type.startsWith("image/") && attachment.type !== "image/vnd.dxf" && attachment.type !== "image/vnd.dwg") return "image";
  if (attachment.thumbnails.length) return "drawing";
  return "none";
}

export interface ViewBox {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.1;
export const MAX_SCALE = 40;

/** Zoom by `factor` keeping the point under the cursor (px, py, in the viewer's pixels) fixed. */
export function zoomAt(view: ViewBox, factor: number, px: number, py: number): ViewBox {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const applied = scale / view.scale;
  return { scale, x: px - (px - view.x) * applied, y: py - (py - view.y) * applied };
}

export function panBy(view: ViewBox, dx: number, dy: number): ViewBox {
  return { ...view, x: view.x + dx, y: view.y + dy };
}
