// Dropping files as a person dragging them from the desktop would: a DataTransfer holding real File
// objects, with dragenter, dragover and drop dispatched on the element under a point (or on a given
// element). Drawings for the scenarios come from the repository's own generators (tests/fixtures/
// make_cad.py, ezdxf), run with the repository's Python.
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { Locator, Page } from "playwright-core";

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface DroppedFile {
  name: string;
  data: Buffer;
  type?: string;
}

/** The bytes a generator of tests/fixtures/make_cad.py returns (e.g. "make_dxf_tables"). */
export function fixture(generator: string): Buffer {
  const python = process.env.PYBASE_PYTHON ?? resolve(repository, ".venv/bin/python");
  return execFileSync(
    python,
    ["-c", `import sys; from tests.fixtures import make_cad; sys.stdout.buffer.write(make_cad.${generator}())`],
    { cwd: repository, maxBuffer: 64 * 1024 * 1024 },
  );
}

type Where = { locator: Locator } | { x: number; y: number };

/** Drag `files` over a point or an element and drop them there. `only` stops after dragover. */
export async function dropFiles(page: Page, where: Where, files: readonly DroppedFile[], only: "drop" | "dragover" = "drop"): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type ?? "", b64: f.data.toString("base64") }));
  const point = "locator" in where ? null : where;
  const handle = "locator" in where ? await where.locator.elementHandle() : null;
  await page.evaluate(
    ({ target, point: at, files: list, only: until }) => {
      const data = new DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        data.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const element = (target as Element | null) ?? (at ? document.elementFromPoint(at.x, at.y) : null);
      if (!element) throw new Error("nothing to drop on");
      const box = element.getBoundingClientRect();
      const clientX = at?.x ?? box.x + box.width / 2;
      const clientY = at?.y ?? box.y + box.height / 2;
      const types = until === "drop" ? ["dragenter", "dragover", "drop"] : ["dragenter", "dragover"];
      for (const type of types) {
        element.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true, clientX, clientY }));
      }
    },
    { target: handle, point, files: payload, only },
  );
}
