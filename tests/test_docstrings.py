"""Every public function, method and class in al_core says in its docstring why it exists, and
every strategy's utility gives its formula."""

from __future__ import annotations

import ast
from pathlib import Path

from al_core.strategies import STRATEGIES

CORE = Path(__file__).resolve().parents[1] / "al_core"


def _public(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield node
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not (
                    item.name.startswith("_")
                ):
                    yield item
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node


def test_every_public_name_in_al_core_has_a_docstring():
    missing = []
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        missing += [
            f"{path.relative_to(CORE.parent)}:{node.lineno} {node.name}"
            for node in _public(tree)
            if not ast.get_docstring(node)
        ]
    assert not missing, "\n".join(missing)


def test_every_strategy_utility_gives_its_formula():
    for name, strategy in STRATEGIES.items():
        doc = strategy.utility.__doc__ or ""
        assert "u(x) =" in doc, f"{name}: {strategy.utility.__name__} has no formula"
