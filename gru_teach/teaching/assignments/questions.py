"""The chapters' auto-checked exercises as graded questions, read from the notebooks themselves.

An exercise is auto-checked when a code cell the student keeps after it calls a check, ``check_x(answer)`` or
``module.check_x(answer)`` (the rule of :func:`gru_teach.teaching.exercise_index`). For each such call this module
finds, with Python's ``ast`` and nothing chapter-specific:

* the **stub**: the statement of that cell that defines ``answer`` (a ``def`` or an assignment), as the book shows it;
* the **check**: the called expression and the chapter's import that binds it (so a test calls the very function the
  chapter calls);
* the **reference solution**: in the exercise's worked solution, the statement defining the name passed to the same
  check (verbatim, with the solution's own helper definitions it needs, then bound to ``answer`` if the names
  differ); where the chapter has no worked solution, :data:`REFERENCES` supplies one;
* the **imports** that stub and reference use, and those of the ``gru_teach`` names the statement mentions (e.g.
  ``example_weights()``), taken from the chapter's import statements.

A chapter needs no registration: a new ``NN_name.ipynb`` with checked exercises becomes an assignment as it is.
"""
from __future__ import annotations

import ast
import builtins
import json
import pathlib
import re
from dataclasses import dataclass

from ..student import CHECK_CALL, EXERCISE, _closes, _strip_markdown, _text

#: reference solutions by exercise label, for an auto-checked exercise whose chapter has no worked solution (or to
#: replace it): source code defining the answer under the stub's name (today every one has a worked solution)
REFERENCES: dict[str, str] = {}

_BUILTINS = set(dir(builtins))


class AssignmentError(ValueError):
    """An exercise cannot be turned into a graded question; the message says which and why."""


@dataclass(frozen=True)
class Question:
    """One graded question: an auto-check call of a chapter exercise."""

    chapter: str        #: notebook stem, e.g. ``02_gru_cell``
    label: str          #: the exercise's label, e.g. ``ch2-step``
    title: str          #: the exercise's title
    statement: str      #: the exercise's text (Markdown, the directive's body)
    name: str           #: the otter question name (a Python identifier), e.g. ``ch2_step``
    answer: str         #: the name the student defines, e.g. ``my_step``
    stub: str           #: the book's stub statement defining ``answer``
    check: str          #: the check as the chapter calls it, e.g. ``check_step`` or ``ch01.check_tanh_jacobian``
    check_import: str   #: the chapter's import statement that binds ``check``
    reference: str      #: the reference solution: source code defining ``answer``
    reference_from: str  #: "worked solution" or "gru_teach.teaching.assignments.REFERENCES"
    imports: tuple      #: import statements the stub, the reference and the statement need

    @property
    def is_function(self) -> bool:
        """Whether the student writes a function (rather than, e.g., a dict of numbers)."""
        return isinstance(ast.parse(self.stub).body[0], (ast.FunctionDef, ast.AsyncFunctionDef))


# ------------------------------------------------------------------------------------------------ parsing helpers

def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree; IPython magics (``%pip``, ``!ls``) become ``pass``; None if it is not Python."""
    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _lines(source: str, node: ast.stmt) -> str:
    """The full source lines of a top-level statement: its decorators, trailing comments, and the indented comment
    lines right after it (a stub's ``...  # your code: return …`` may continue on the next line)."""
    lines = source.splitlines()
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    last = node.end_lineno
    while last < len(lines) and lines[last].lstrip().startswith("#") and \
            len(lines[last]) - len(lines[last].lstrip()) > node.col_offset:
        last += 1
    return "\n".join(lines[first - 1:last])


def _defines(node: ast.stmt) -> set[str]:
    """The names a top-level ``def``/``class``/assignment binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
        node, (ast.AnnAssign, ast.AugAssign)) else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def free_names(source: str) -> set[str]:
    """Names ``source`` reads but neither binds nor gets from the builtins (scope-insensitive, conservative)."""
    bound, loaded = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {a.asname or a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - _BUILTINS


def _import_bindings(cells: list[str]) -> dict[str, list[str]]:
    """For each name an import binds in ``cells`` (in order), the import statements binding it, one alias each."""
    bindings: dict[str, list[str]] = {}
    for source in cells:
        tree = _parse(source)
        for node in tree.body if tree else []:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    one = (ast.Import([alias]) if isinstance(node, ast.Import)
                           else ast.ImportFrom(node.module, [alias], node.level))
                    bindings.setdefault(alias.asname or alias.name.split(".")[0], []).append(ast.unparse(one))
    return bindings


def _directive_body(text: str, match: re.Match) -> str:
    """The body of the ``{exercise}`` directive that ``match`` opened: up to its closing fence, options dropped."""
    fence = re.match(r"[`:]{3,}", text[match.start():])[0]
    body = []
    for line in text[match.start():].splitlines()[1:]:
        if _closes(line, fence):
            break
        if not body and re.match(r"\s*:\w[\w-]*:", line):    # directive options (:label:, :class:)
            continue
        body.append(line)
    return "\n".join(body).strip()


_ROLE = re.compile(r"\{(?:ref|numref|doc|eq|term|prf:ref)\}`(?P<text>[^`<]*?)\s*(?:<[^>]*>)?`")


def plain_markdown(text: str) -> str:
    """MyST cross-reference roles (``{ref}`text <target>```) reduced to their text, for a plain Jupyter notebook."""
    return _ROLE.sub(lambda m: m["text"] or "", text)


# ------------------------------------------------------------------------------------------------ exercises

@dataclass
class _Exercise:
    label: str
    title: str
    statement: str
    student_cells: list
    solution_cells: list


def _exercises(nb: dict) -> list[_Exercise]:
    """The exercises of a notebook in order, with the code cells the student keeps and the solution code cells
    that follow each one (up to the next exercise), as :func:`gru_teach.teaching.student.strip_solutions` splits
    them."""
    found, current, inside = [], None, False
    for cell in nb["cells"]:
        text = _text(cell)
        if cell["cell_type"] == "markdown":
            kept, inside, _ = _strip_markdown(text, inside)
            match = EXERCISE.search(kept)
            if match:
                current = _Exercise(match["label"] or "", match["title"].strip(),
                                    plain_markdown(_directive_body(kept, match)), [], [])
                found.append(current)
        elif cell["cell_type"] == "code" and current is not None:
            solution = inside or "solution" in cell.get("metadata", {}).get("tags", [])
            (current.solution_cells if solution else current.student_cells).append(text)
    return found


def _check_calls(source: str, strict: bool = True) -> list[tuple[str, str]]:
    """``(check expression, argument name)`` of every ``check_…(name)`` call in ``source``, in order; a check called
    with something else than a name is an error (``strict``, the student's cells) or skipped (a worked solution)."""
    tree = _parse(source)
    calls = []
    for node in ast.walk(tree) if tree else []:
        if isinstance(node, ast.Call) and CHECK_CALL.match(ast.unparse(node.func).split(".")[-1] + "("):
            if not (node.args and isinstance(node.args[0], ast.Name)):
                if not strict:
                    continue
                raise AssignmentError(f"`{ast.unparse(node)}`: a graded check must be called with a name "
                                      "(answer = ...; check_x(answer)), so that the student's answer can be graded")
            calls.append((node.lineno, node.col_offset, ast.unparse(node.func), node.args[0].id))
    return [(func, arg) for *_, func, arg in sorted(calls)]


def _definition(cells: list[str], name: str) -> tuple[str, ast.stmt] | None:
    """The last top-level statement in ``cells`` that binds ``name``: its full source lines and node."""
    found = None
    for source in cells:
        tree = _parse(source)
        for node in tree.body if tree else []:
            if name in _defines(node):
                found = (_lines(source, node), node)
    return found


def _with_helpers(code: str, cells: list[str], known: set[str]) -> str:
    """``code`` preceded by the definitions from ``cells`` (the worked solution) of the names it needs."""
    parts, seen, todo = [code], set(), set(free_names(code)) - known
    while todo:
        name = todo.pop()
        seen.add(name)
        found = _definition(cells, name)
        if found is not None:
            parts.insert(0, found[0])
            todo |= free_names(found[0]) - known - seen
    return "\n\n".join(dict.fromkeys(parts))


def _question_name(label: str, check: str, several: bool) -> str:
    base = re.sub(r"\W+", "_", label).strip("_") or "question"
    name = f"{base}_{check.split('.')[-1].removeprefix('check_')}" if several else base
    return name if name[0].isalpha() else f"q_{name}"


def chapter_questions(path) -> list[Question]:
    """The graded questions of one chapter notebook ``NN_name.ipynb``, in order."""
    path = pathlib.Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    all_code = [_text(c) for c in nb["cells"] if c["cell_type"] == "code"]
    imports = _import_bindings(all_code)
    questions = []
    for ex in _exercises(nb):
        try:
            calls = [call for source in ex.student_cells for call in _check_calls(source)]
        except AssignmentError as err:
            raise AssignmentError(f"{path.name}, exercise {ex.label or ex.title!r}: {err}") from None
        for check, answer in dict.fromkeys(calls):
            where = f"{path.name}, exercise {ex.label or ex.title!r}"
            stub = _definition(ex.student_cells, answer)
            if stub is None:
                raise AssignmentError(f"{where}: the check {check}({answer}) has no stub defining {answer!r} in the "
                                      "exercise's code cells")
            root = check.split(".")[0]
            if root not in imports:
                raise AssignmentError(f"{where}: no import in the chapter binds {root!r} (used by {check})")
            reference, origin = _reference(ex, check, answer, where)
            needed = {}
            for name in sorted((free_names(stub[0]) | free_names(reference)) - {answer}):
                if name not in imports:
                    raise AssignmentError(
                        f"{where}: the stub or the reference solution uses {name!r}, which no import of the chapter "
                        "binds (a variable of the chapter's text?). Make the worked solution self-contained, or add "
                        f"a reference for {ex.label!r} to gru_teach.teaching.assignments.REFERENCES")
                needed[imports[name][-1]] = None
            for span in re.findall(r"`([A-Za-z_]\w*)", ex.statement):   # gru_teach names the statement mentions
                if span in imports and "gru_teach" in imports[span][-1]:
                    needed[imports[span][-1]] = None
            several = len(dict.fromkeys(calls)) > 1
            questions.append(Question(
                chapter=path.stem, label=ex.label, title=ex.title, statement=ex.statement,
                name=_question_name(ex.label, check, several), answer=answer, stub=stub[0], check=check,
                check_import=imports[root][-1], reference=reference, reference_from=origin,
                imports=tuple(needed)))
    names = [q.name for q in questions]
    if len(set(names)) != len(names):
        raise AssignmentError(f"{path.name}: two questions would share a name: {names}")
    return questions


def _reference(ex: _Exercise, check: str, answer: str, where: str) -> tuple[str, str]:
    """The reference solution for ``check(answer)``: from the worked solution, else from :data:`REFERENCES`."""
    if ex.label in REFERENCES:
        return REFERENCES[ex.label].strip("\n"), "gru_teach.teaching.assignments.REFERENCES"
    short = check.split(".")[-1]
    solved = [arg for source in ex.solution_cells for func, arg in _check_calls(source, strict=False)
              if func.split(".")[-1] == short]
    found = _definition(ex.solution_cells, solved[-1]) if solved else None
    if found is None:
        raise AssignmentError(f"{where}: no worked solution passes a definition to {check}, and "
                              f"gru_teach.teaching.assignments.REFERENCES has no entry {ex.label!r}")
    code = _with_helpers(found[0], ex.solution_cells, {solved[-1]})
    if solved[-1] != answer:                 # the book's code verbatim, then under the stub's name
        code += f"\n\n{answer} = {solved[-1]}"
    return code, "worked solution"


def questions(book_dir) -> list[Question]:
    """The graded questions of every chapter ``NN_*.ipynb`` in ``book_dir``, chapter by chapter."""
    return [q for path in sorted(pathlib.Path(book_dir).glob("[0-9][0-9]_*.ipynb")) for q in chapter_questions(path)]


def chapter_title(path) -> str:
    """The first ``# heading`` of a notebook (else its file name)."""
    nb = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        match = re.match(r"#\s+(.+)", _text(cell)) if cell["cell_type"] == "markdown" else None
        if match:
            return match[1].strip()
    return pathlib.Path(path).stem
