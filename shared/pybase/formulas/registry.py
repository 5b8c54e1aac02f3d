"""Function registry: one FunctionSpec per formula function (Python implementation + optional SQL compiler)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pybase.registry import Registry

if TYPE_CHECKING:
    from pybase.formulas.nodes import Call, Node
    from pybase.formulas.sql import SqlCompiler, SqlValue

# Python implementation: eager functions get (evaluation, *values); lazy ones get (evaluation, thunks, call).
PyImpl = Callable[..., Any]
# SQL compiler: (compiler, compiled args, arg nodes) -> SqlValue; raise NotCompilable when it cannot.
SqlImpl = Callable[["SqlCompiler", "Sequence[SqlValue]", "Sequence[Node]"], "SqlValue"]
ResultType = str | Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    impl: PyImpl
    result_type: ResultType = "text"
    sql: SqlImpl | None = None
    lazy: bool = False  # impl receives zero-argument thunks and the Call node (IF, SWITCH ...)
    catches_errors: bool = False  # eager, but error values are passed in instead of propagated
    check: Callable[[Call, str], None] | None = None  # extra parse-time validation (e.g. literal units)
    description: str = ""
    # F(F(a, b), c) == F(a, b, c) exactly (values and errors, AND/OR): the parser folds nested calls into
    # one, so 70 nested AND( compile to one flat SQL AND instead of 70 levels of nesting.
    associative: bool = False

    def arity_problem(self, count: int) -> str | None:
        if self.max_args is not None and self.min_args == self.max_args and count != self.min_args:
            return f"takes exactly {self.min_args} argument{'s' if self.min_args != 1 else ''}, got {count}"
        if count < self.min_args:
            return f"takes at least {self.min_args} argument{'s' if self.min_args != 1 else ''}, got {count}"
        if self.max_args is not None and count > self.max_args:
            return f"takes at most {self.max_args} argument{'s' if self.max_args != 1 else ''}, got {count}"
        return None

    def type_for(self, arg_types: Sequence[str]) -> str:
        return self.result_type if isinstance(self.result_type, str) else self.result_type(arg_types)


def _load_functions() -> None:
    from pybase.formulas.functions import load_all

    load_all()


# Names are upper case (formulas are case-insensitive); pybase.formulas.functions registers them.
FUNCTIONS: Registry[FunctionSpec] = Registry("formula function", load=_load_functions, normalize=str.upper)


def register(
    name: str,
    min_args: int,
    max_args: int | None,
    *,
    result_type: ResultType = "text",
    sql: SqlImpl | None = None,
    lazy: bool = False,
    catches_errors: bool = False,
    check: Callable[[Call, str], None] | None = None,
    associative: bool = False,
) -> Callable[[PyImpl], PyImpl]:
    def decorate(impl: PyImpl) -> PyImpl:
        spec = FunctionSpec(
            name=name,
            min_args=min_args,
            max_args=max_args,
            impl=impl,
            result_type=result_type,
            sql=sql,
            lazy=lazy,
            catches_errors=catches_errors,
            check=check,
            description=(impl.__doc__ or "").strip(),
            associative=associative,
        )
        FUNCTIONS.add(name, spec)
        return impl

    return decorate


def get_function(name: str) -> FunctionSpec | None:
    """The function, or None (the parser reports an unknown name where it stands in the formula)."""
    return FUNCTIONS.find(name)


def all_functions() -> dict[str, FunctionSpec]:
    return dict(FUNCTIONS.items())
