// The drawing viewer: a DXF's SVG preview with wheel/button zoom and drag pan; a PDF's page images
// when the API has them, else the PDF itself from its short-lived download URL in the browser's viewer.
import { useQuery } from "@tanstack/react-query";
import { Minus, Plus, RotateCcw } from "lucide-react";
import { useRef, useState, type PointerEvent, type WheelEvent } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { api, unwrap } from "@/lib/api/client";
import { panBy, viewerKind, zoomAt, type AttachmentValue, type ViewBox } from "@/features/files/lib/attachments";

function ZoomPan({ src, alt }: { src: string; alt: string }) {
  const [view, setView] = useState<ViewBox>({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const center = () => {
    const rect = box.current?.getBoundingClientRect();
    return rect ? { x: rect.width / 2, y: rect.height / 2 } : { x: 0, y: 0 };
  };
  const onWheel = (event: WheelEvent<HTMLDivElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    setView((v) => zoomAt(v, event.deltaY < 0 ? 1.2 : 1 / 1.2, event.clientX - rect.left, event.clientY - rect.top));
  };
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    drag.current = { x: event.clientX, y: event.clientY };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const from = drag.current;
    if (!from) return;
    drag.current = { x: event.clientX, y: event.clientY };
    setView((v) => panBy(v, event.clientX - from.x, event.clientY - from.y));
  };
  return (
    <div className="space-y-2">
      <div className="flex gap-1">
        <Button variant="outline" size="icon-sm" aria-label="Zoom in" onClick={() => setView((v) => zoomAt(v, 1.5, center().x, center().y))}>
          <Plus className="h-4 w-4" />
        </Button>
        <Button variant="outline" size="icon-sm" aria-label="Zoom out" onClick={() => setView((v) => zoomAt(v, 1 / 1.5, center().x, center().y))}>
          <Minus className="h-4 w-4" />
        </Button>
        <Button variant="outline" size="icon-sm" aria-label="Reset view" onClick={() => setView({ scale: 1, x: 0, y: 0 })}>
          <RotateCcw className="h-4 w-4" />
        </Button>
        <span className="text-muted-foreground self-center text-xs">{Math.round(view.scale * 100)}%</span>
      </div>
      <div
        ref={box}
        data-testid="drawing-viewer"
        className="h-[60vh] cursor-grab touch-none overflow-hidden rounded border bg-white"
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = null)}
      >
        <img
          src={src}
          alt={alt}
          draggable={false}
          className="max-h-full max-w-full origin-top-left select-none"
          style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}
        />
      </div>
    </div>
  );
}

function PdfFrame({ attachment }: { attachment: AttachmentValue }) {
  // Signed URLs expire quickly: ask for a fresh one when the viewer opens.
  const url = useQuery({
    queryKey: ["files", attachment.id, "url"] as const,
    staleTime: 30_000,
    queryFn: async () =>
      (await unwrap(api.GET("/files/{attachment_id}", { params: { path: { attachment_id: attachment.id }, query: { redirect: false } } }))).url,
  });
  if (!url.data) return <p className="text-muted-foreground text-sm">Loading the PDF…</p>;
  return <iframe title={attachment.filename} src={url.data} className="h-[60vh] w-full rounded border" />;
}

export function AttachmentViewer({ attachment, onClose }: { attachment: AttachmentValue; onClose: () => void }) {
  const kind = viewerKind(attachment);
  const pages = attachment.thumbnails;
  const [page, setPage] = useState(0);
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="max-w-4xl">
        <DialogHeader>
          <DialogTitle>{attachment.filename}</DialogTitle>
          <DialogDescription>{kind === "drawing" ? "Scroll to zoom, drag to pan." : attachment.type}</DialogDescription>
        </DialogHeader>
        {kind === "drawing" && pages[0] ? <ZoomPan src={pages[0].url} alt={`Drawing ${attachment.filename}`} /> : null}
        {kind === "image" && attachment.url ? <ZoomPan src={attachment.url} alt={attachment.filename} /> : null}
        {kind === "pdf" ? (
          <div className="space-y-2">
            {pages.length > 1 ? (
              <div className="flex items-center gap-2 text-sm">
                <Button variant="outline" size="sm" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
                  Previous
                </Button>
                <span>
                  Page {page + 1} of {pages.length}
                </span>
                <Button variant="outline" size="sm" disabled={page >= pages.length - 1} onClick={() => setPage((p) => p + 1)}>
                  Next
                </Button>
              </div>
            ) : null}
            {pages.length > 1 && pages[page] ? <ZoomPan src={pages[page].url} alt={`${attachment.filename} page ${page + 1}`} /> : <PdfFrame attachment={attachment} />}
          </div>
        ) : null}
        {kind === "none" ? <p className="text-sm">No preview for this kind of file.</p> : null}
        {attachment.url ? (
          <a className="text-sm underline" href={attachment.url} target="_blank" rel="noreferrer">
            Download
          </a>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
