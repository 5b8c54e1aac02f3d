"""STEP extractor (AP203/AP214/AP242): product structure with the light Part 21 reader in `step`.

Parts and the assembly tree come from PRODUCT / PRODUCT_DEFINITION / NEXT_ASSEMBLY_USAGE_OCCURRENCE;
the tree is also written as an indented parts list (a "bom" table) so the BOM mapping turns it into
records like a drawing's parts list.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from pybase.extraction import step
from pybase.extraction.errors import CorruptFile
from pybase.extraction.extractors.base import Extractor
from pybase.extraction.results import AssemblyNode, StepPart, StepResult, Table

BOM_HEADER = ["LEVEL", "PART NUMBER", "NAME", "DESCRIPTION", "QTY", "PARENT"]
MAX_DEPTH = 64


class StepExtractor(Extractor):
    name = "step"

    def _extract(self, data: bytes, *, path: Path | None, filename: str | None) -> StepResult:
        # Part 21 files are 7-bit text; other characters are escaped (\X2\...) and decoded by the reader.
        text = data.decode("latin-1")
        try:
            model = step.parse(text)
        except step.StepSyntaxError as exc:
            raise CorruptFile(f"The STEP file cannot be read: {exc}", details={"format": "step"}) from None
        result = StepResult(**self._common(data, filename))  # type: ignore[arg-type]
        result.schema_name = model.schema
        result.protocol = model.protocol
        result.metadata = dict(model.header)
        result.entity_counts = dict(model.entity_counts.most_common(200))
        result.solids = sum(model.entity_counts[n] for n in step.SOLIDS)
        if model.errors:
            result.warnings.append(f"{model.errors} product-structure entities could not be parsed and were skipped.")
        if not model.products:
            result.warnings.append("The STEP file names no PRODUCT: there is no product structure to report.")
        self._structure(model, result)
        return result

    def _structure(self, model: step.StepModel, result: StepResult) -> None:
        pd_product = model.definitions
        products = model.products
        # (parent product, child product) -> instances; products are keyed by their instance number.
        uses: Counter[tuple[int, int]] = Counter()
        for parent_pd, child_pd, instances in model.usages:
            parent, child = pd_product.get(parent_pd), pd_product.get(child_pd)
            if parent is not None and child is not None and parent != child:
                uses[(parent, child)] += instances
        children: dict[int, list[tuple[int, int]]] = defaultdict(list)
        parents: dict[int, list[int]] = defaultdict(list)
        for (parent, child), qty in uses.items():
            children[parent].append((child, qty))
            parents[child].append(parent)
        roots = [p for p in products if p not in parents]
        limit = self.limits.max_elements
        total: Counter[int] = Counter()
        rows: list[dict[str, str]] = []
        nodes = 0
        cut = False

        def walk(product: int, qty: int, multiplier: int, level: int, parent: int | None, seen: tuple[int, ...]):  # type: ignore[no-untyped-def]
            nonlocal nodes, cut
            if nodes >= limit or level > MAX_DEPTH or product in seen:
                cut = True
                return None
            nodes += 1
            info = products[product]
            total[product] += multiplier
            if len(rows) < self.limits.max_table_rows:
                rows.append(
                    {
                        "LEVEL": str(level),
                        "PART NUMBER": info.id,
                        "NAME": info.name,
                        "DESCRIPTION": info.description,
                        "QTY": str(qty),
                        "PARENT": products[parent].id if parent is not None else "",
                    }
                )
            node = AssemblyNode(part_number=info.id, name=info.name, quantity=qty)
            for child, n in sorted(children.get(product, []), key=lambda c: products[c[0]].id):
                sub = walk(child, n, multiplier * n, level + 1, product, (*seen, product))
                if sub is not None:
                    node.children.append(sub)
            return node

        for root in sorted(roots, key=lambda p: products[p].id):
            node = walk(root, 1, 1, 0, None, ())
            if node is not None:
                result.assembly.append(node)
        if cut:
            result.note_truncated("assembly")
            result.warnings.append("The assembly tree was cut (too large, too deep or cyclic).")
        for product, info in products.items():
            if len(result.parts) >= limit:
                result.note_truncated("parts")
                break
            result.parts.append(
                StepPart(
                    part_number=info.id,
                    name=info.name,
                    description=info.description,
                    quantity=total.get(product, 1 if product in roots else 0),
                    assembly=bool(children.get(product)),
                    parents=sorted({products[p].id for p in parents.get(product, [])}),
                )
            )
        if rows:
            truncated = nodes > len(rows)
            result.tables.append(Table(kind="bom", header=list(BOM_HEADER), rows=rows, truncated=truncated))
