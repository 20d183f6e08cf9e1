"""Graded assignments for otter-grader (gru_teach.teaching.assignments, scripts/assignments.py).

Fast tests check what is generated from the chapters; the tests marked ``otter`` run otter-grader itself: for every
chapter ``otter assign`` (student and autograder versions), then ``otter run`` (local, no Docker) on a submission with
the reference solutions (full marks) and on one with a known mistake in every question (each question loses exactly
its points, and otter's feedback is the chapter check's own message); one chapter also gets a function that never
returns, which must cost that question only. Select them with ``pytest -m otter``.
"""
import json
import multiprocessing
import pathlib
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from importlib.util import module_from_spec, spec_from_file_location

import pytest

from gru_teach.teaching import assignments, checking, exercise_index
from gru_teach.teaching.assignments import AssignmentError, otter_format

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
QUESTIONS = assignments.questions(BOOK)
CHAPTERS = sorted({q.chapter for q in QUESTIONS})
LIMIT = 2.0     # seconds per call of student code while grading here (the checks' default is 10)

#: a known mistake per check: what the student did, code defining the answer ({answer}: the stub's name), and words
#: the chapter's check must say about it. A check not listed here (a new chapter's) is tested with its unanswered
#: stub instead, with a warning asking for an entry.
MISTAKES = {
    "check_tanh_jacobian": ("returned W_hh: no tanh derivative",
                            "def {answer}(x, h_prev, W_ih, W_hh, b_ih, b_hh):\n    return W_hh\n",
                            "derivative diag(1 − h_t²) is missing"),
    "check_vanishing_guaranteed": ("decided by the eigenvalues",
                                   "def {answer}(W, gamma=1.0):\n"
                                   "    return bool(np.max(np.abs(np.linalg.eigvals(W))) < 1 / gamma)\n",
                                   "largest *singular* value"),
    "check_clip_grad_norm": ("clipped every array by its own norm",
                             "def {answer}(grads, max_norm):\n"
                             "    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))\n"
                             "    for g in grads.values():\n"
                             "        g *= min(1.0, max_norm / np.linalg.norm(g))\n"
                             "    return norm\n",
                             "clipped each array separately"),
    "check_hand_step": ("h with the update flipped, (1 − z) h + z n",
                        '{answer} = {{"r": [0.562, 0.731], "z": [0.679, 0.321],\n'
                        '             "n": [0.787, 0.953], "h": [0.695, -0.034]}}\n',
                        "Hint: h = (1 − z) ⊙ n + z ⊙ h_prev"),
    "check_step": ("flipped update gate",
                   "def {answer}(x, h, W_ih, W_hh, b_ih, b_hh):\n"
                   "    H = len(h)\n"
                   "    gi, gh = W_ih @ x + b_ih, W_hh @ h + b_hh\n"
                   "    r = 1 / (1 + np.exp(-(gi[:H] + gh[:H])))\n"
                   "    z = 1 / (1 + np.exp(-(gi[H:2 * H] + gh[H:2 * H])))\n"
                   "    n = np.tanh(gi[2 * H:] + r * gh[2 * H:])\n"
                   "    return (1 - z) * h + z * n\n",
                   "the update direction is flipped"),
    "check_param_count": ("one bias vector",
                          "def {answer}(input_size, hidden_size):\n"
                          "    return 3 * hidden_size * (input_size + hidden_size + 1)\n",
                          "you counted one bias vector"),
    "check_chung_conversion": ("negated the z rows of the weights but not of the biases",
                               "def {answer}(params):\n"
                               "    out = {{k: np.array(v, dtype=float) for k, v in params.items()}}\n"
                               "    H = out['weight_hh'].shape[1]\n"
                               "    for name in ('weight_ih', 'weight_hh'):\n"
                               "        out[name][H:2 * H] *= -1\n"
                               "    return out\n",
                               "negate the z blocks of both biases as well"),
    "check_update_gate_backward": ("returned δz, without the sigmoid's derivative",
                                   "def {answer}(dh, h_prev, n, z):\n    return dh * (h_prev - n)\n",
                                   "multiply by σ'(a_z) = z ⊙ (1 − z)"),
    "check_numerical_gradient": ("forward difference",
                                 "def {answer}(loss, array, eps):\n"
                                 "    grad, base = np.zeros_like(array), loss()\n"
                                 "    for k in range(array.size):\n"
                                 "        old = array.flat[k]\n"
                                 "        array.flat[k] = old + eps\n"
                                 "        grad.flat[k] = (loss() - base) / eps\n"
                                 "        array.flat[k] = old\n"
                                 "    return grad\n",
                                 "that is a forward difference"),
    "check_two_layers": ("sent d_out, not layer2's dx, into layer1",
                         "def {answer}(layer1, layer2, x, d_out):\n"
                         "    out1, _ = layer1.forward(x)\n"
                         "    out2, _ = layer2.forward(out1)\n"
                         "    layer2.backward(d_out)\n"
                         "    dx, _ = layer1.backward(d_out)\n"
                         "    return out2, dx\n",
                         "the upstream gradient of layer1 is what layer2.backward returns"),
    "check_step_backward": ("forgot the direct path z ⊙ h_{t-1} in ∂L/∂h_{t-1}",
                            "def {answer}(dh, cache, params):\n"
                            "    x, h_prev = cache['x'], cache['h_prev']\n"
                            "    r, z, n, hn = cache['r'], cache['z'], cache['n'], cache['hn']\n"
                            "    da_n = dh * (1 - z) * (1 - n**2)\n"
                            "    da_z = dh * (h_prev - n) * z * (1 - z)\n"
                            "    da_r = da_n * hn * r * (1 - r)\n"
                            "    d_a = np.concatenate([da_r, da_z, da_n], axis=1)\n"
                            "    d_hh = np.concatenate([da_r, da_z, da_n * r], axis=1)\n"
                            "    return {{'weight_ih': d_a.T @ x, 'bias_ih': d_a.sum(axis=0),\n"
                            "            'weight_hh': d_hh.T @ h_prev, 'bias_hh': d_hh.sum(axis=0),\n"
                            "            'x': d_a @ params['weight_ih'], 'h_prev': d_hh @ params['weight_hh']}}\n",
                            "misses the direct path δh ⊙ z"),
    "check_stacked_param_count": ("one bias vector per gate block",
                                  "def {answer}(cell, input_size, hidden_size, num_layers=1, bidirectional=False):\n"
                                  "    G = {{'RNN': 1, 'GRU': 3, 'LSTM': 4}}[cell]\n"
                                  "    dirs = 2 if bidirectional else 1\n"
                                  "    total = 0\n"
                                  "    for layer in range(num_layers):\n"
                                  "        width = input_size if layer == 0 else dirs * hidden_size\n"
                                  "        total += dirs * G * hidden_size * (width + hidden_size + 1)\n"
                                  "    return total\n",
                                  "you counted one bias vector per gate block"),
    "check_equal_budget": ("left the read-out out of the budget",
                           "def {answer}(cell, budget, input_size, output_size):\n"
                           "    G = {{'RNN': 1, 'GRU': 3, 'LSTM': 4}}[cell]\n"
                           "    return min(range(1, 400),\n"
                           "               key=lambda H: (abs(G * H * (input_size + H + 2) - budget), H))\n",
                           "count the read-out too"),
    "check_lstm_step": ("no forget gate: c_new = c + i ⊙ g",
                        "def {answer}(x, h, c, W_ih, W_hh, b_ih, b_hh):\n"
                        "    H = len(h)\n"
                        "    a = W_ih @ x + b_ih + W_hh @ h + b_hh\n"
                        "    i, o = 1 / (1 + np.exp(-a[:H])), 1 / (1 + np.exp(-a[3 * H:]))\n"
                        "    c_new = c + i * np.tanh(a[2 * H:3 * H])\n"
                        "    return o * np.tanh(c_new), c_new\n",
                        "the forget gate is missing"),
    "check_coupled_gates": ("set the forget rows to 1 − the input rows",
                            "def {answer}(params, hidden_size):\n"
                            "    H = hidden_size\n"
                            "    out = {{k: np.array(v, dtype=float) for k, v in params.items()}}\n"
                            "    for k in out:\n"
                            "        out[k][H:2 * H] = 1 - out[k][:H]\n"
                            "    return out\n",
                            "1 − W is not the way"),
    "check_epoch_without_syncs": ("reads the loss on the host after every step",
                                  "def {answer}(model, optimizer, batches, loss_fn):\n"
                                  "    total, count = 0.0, 0\n"
                                  "    for x, y in batches:\n"
                                  "        optimizer.zero_grad(set_to_none=True)\n"
                                  "        loss = loss_fn(model(x), y)\n"
                                  "        loss.backward()\n"
                                  "        optimizer.step()\n"
                                  "        total += loss.item() * len(y)\n"
                                  "        count += len(y)\n"
                                  "    return total / count\n",
                                  "reads a tensor every step"),
    "check_gru_forward_flops": ("counted a multiply-add as one FLOP",
                                "def {answer}(D, H):\n    return 3 * H * (D + H)\n",
                                "a multiply-add is 2 FLOPs"),
    "check_shard": ("contiguous blocks instead of dealing the indices out in turn",
                    "def {answer}(indices, rank, world_size):\n"
                    "    per = -(-len(indices) // world_size)\n"
                    "    return list(indices)[rank * per:(rank + 1) * per]\n",
                    "contiguous block"),
    "check_windows": ("each target starts with the last input value (leakage)",
                      "def {answer}(series, window, horizon):\n"
                      "    ts = range(window, len(series) - horizon + 1)\n"
                      "    x = np.stack([series[t - window:t] for t in ts])[:, :, None]\n"
                      "    y = np.stack([series[t - 1:t - 1 + horizon] for t in ts])\n"
                      "    return x, y\n",
                      "the target overlaps the inputs (leakage)"),
    "check_train_only_scaling": ("scaler fitted on training and test values",
                                 "def {answer}(train, test):\n"
                                 "    both = np.concatenate([train, test])\n"
                                 "    lo, hi = both.min(), both.max()\n"
                                 "    return (train - lo) / (hi - lo), (test - lo) / (hi - lo)\n",
                                 "fitted on training AND test values"),
    "check_pad_and_sort": ("labels not reordered with their sequences",
                           "def {answer}(batch):\n"
                           "    import torch\n"
                           "    labels = torch.tensor([label for _, label in batch])\n"
                           "    batch = sorted(batch, key=lambda pair: len(pair[0]), reverse=True)\n"
                           "    lengths = torch.tensor([len(ids) for ids, _ in batch])\n"
                           "    padded = torch.nn.utils.rnn.pad_sequence([ids for ids, _ in batch],\n"
                           "                                             batch_first=True)\n"
                           "    return (padded, lengths), labels\n",
                           "the labels are not reordered with their sequences"),
}
ENDLESS = "def {answer}(*args, **kwargs):\n    while True:   # never returns\n        pass\n"


def chapter_questions(chapter):
    return [q for q in QUESTIONS if q.chapter == chapter]


def run_in_process(q, code):
    """The chapter's check on ``code`` (which defines q.answer) in this process: the in-book Feedback."""
    env = {}
    for line in otter_format.setup_imports(chapter_questions(q.chapter)):
        exec(line, env)
    exec(code, env)
    return eval(q.check, env)(env[q.answer])


def mistake(q):
    """(code, words the message must contain) of the known mistake of ``q``; the stub when none is known."""
    short = q.check.split(".")[-1]
    if short in MISTAKES:
        _, code, words = MISTAKES[short]
        return code.format(answer=q.answer), words
    return q.stub, ""


# ------------------------------------------------------------------------------------------------ generation

def test_every_auto_checked_exercise_of_every_chapter_is_a_question():
    checked = [(r["chapter"], r["label"], c) for r in exercise_index(BOOK) for c in r["checks"]]
    assert checked, "the book has auto-checked exercises"
    assert [(q.chapter, q.label, q.check.split(".")[-1]) for q in QUESTIONS] == checked
    assert {q.chapter for q in QUESTIONS} == {r["chapter"] for r in exercise_index(BOOK) if r["checks"]}


def test_reference_solutions_pass_and_stubs_fail_the_chapters_own_checks():
    for q in QUESTIONS:
        feedback = run_in_process(q, q.reference)
        assert isinstance(feedback, checking.Feedback) and feedback.passed, (q.name, feedback)
        assert not run_in_process(q, q.stub).passed, q.name


def test_worked_solutions_are_used_verbatim():
    for q in QUESTIONS:
        assert q.reference_from == "worked solution", q.name
        nb = json.loads((BOOK / f"{q.chapter}.ipynb").read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        first = q.reference.split("\n\n")[0]
        assert first in code, f"{q.name}: the reference is not the chapter's code"


def test_each_known_mistake_fails_with_the_message_that_names_it():
    missing = sorted({q.check.split(".")[-1] for q in QUESTIONS} - set(MISTAKES))
    if missing:
        warnings.warn(f"no known mistake for {missing}: their graded test uses the unanswered stub; add entries "
                      "to MISTAKES in tests/test_assignments.py")
    for q in QUESTIONS:
        code, words = mistake(q)
        feedback = run_in_process(q, code)
        assert not feedback.passed and words in feedback.message, (q.name, feedback.message)
    assert set(MISTAKES) >= {"check_step", "check_param_count"}, "the table names real checks"


def test_points_come_from_the_one_table():
    assert {k for k in assignments.POINTS} <= {q.label for q in QUESTIONS} | {q.name for q in QUESTIONS}, \
        "POINTS names an exercise that does not exist"
    for q in QUESTIONS:
        assert assignments.points(q) == assignments.POINTS.get(q.label, assignments.DEFAULT_POINTS)
    table = assignments.points_table(QUESTIONS)
    for chapter in CHAPTERS:
        total = sum(assignments.points(q) for q in chapter_questions(chapter))
        assert f"| **{chapter}** | {len(chapter_questions(chapter))} questions | **{total:g}** |" in table
    assert "open it from a clone" in assignments.points_table([])


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_master_notebook_is_in_otters_assign_format(chapter):
    qs = chapter_questions(chapter)
    nb = assignments.master_notebook(qs, title="T", bootstrap="import sys", points=assignments.points, time_limit=3)
    cells = nb["cells"]
    text = ["".join(c["source"]) for c in cells]
    assert cells[0]["cell_type"] == "raw" and text[0].startswith("# ASSIGNMENT CONFIG\n")
    assert "tests:\n  ok_format: false" in text[0] and f'name: "{chapter}"' in text[0]
    markers = [t.split("\n")[0] for c, t in zip(cells, text) if c["cell_type"] == "raw"][1:]
    block = ["# BEGIN QUESTION", "# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN TESTS", "# END TESTS",
             "# END QUESTION"]
    assert markers == block * len(qs)
    for q in qs:
        begin = text.index(f"# BEGIN QUESTION\nname: {q.name}\npoints: {assignments.points(q)}")
        answer, test = text[begin + 3], text[begin + 6]
        assert q.stub in answer and q.reference in answer and "# BEGIN SOLUTION NO PROMPT" in answer
        assert f"grade({q.check}, {q.answer}, time_limit=3)" in test and q.check_import in test
        compile(answer, q.name, "exec"), compile(test, q.name, "exec")


def synthetic_chapter(tmp_path, cells):
    """A book folder with one chapter notebook made of (kind, source, tags) cells."""
    nb = {"cells": [{"cell_type": kind, "metadata": {"tags": list(tags)}, "source": src,
                     **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                    for kind, src, *tags in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "07_new.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return tmp_path


NEW_EXERCISE = ("markdown", "# A new chapter\n\n```{exercise} Count again\n:label: ch7-count\n\nWrite it.\n```")
NEW_STUB = ("code", "from gru_teach.teaching.exercises.ch02 import check_param_count as check_n\n\n"
                    "def n_params(i, h):\n    ...  # your code\n\ncheck_n(n_params)")


def test_a_new_chapter_is_picked_up_from_its_notebook_alone(tmp_path):
    book = synthetic_chapter(tmp_path, [
        NEW_EXERCISE, NEW_STUB,
        ("markdown", "```{solution-start} ch7-count\n:class: dropdown\n```"),
        ("code", "def helper(i, h):\n    return i + h + 2\n\ndef solved(i, h):\n    return 3 * h * helper(i, h)\n\n"
                 "assert check_n(solved)\nassert not check_n(lambda i, h: 0)\nprint('done')"),
        ("markdown", "```{solution-end}\n```"),
    ])
    [q] = assignments.questions(book)
    assert (q.chapter, q.label, q.name, q.answer, q.check) == ("07_new", "ch7-count", "ch7_count", "n_params",
                                                               "check_n")
    assert q.check_import == "from gru_teach.teaching.exercises.ch02 import check_param_count as check_n"
    assert q.reference.startswith("def helper") and q.reference.endswith("n_params = solved")
    assert "print" not in q.reference and q.statement == "Write it."
    env = {}
    exec(q.check_import + "\n" + q.reference, env)
    assert env["check_n"](env["n_params"]).passed
    out = assignments.write_assignments(book, tmp_path / "out", bootstrap="", repository_url="https://x/y",
                                        points=assignments.points)
    assert [pathlib.Path(p).name for p in out] == ["07_new_assignment.ipynb"]
    assert (tmp_path / "out" / "07_new" / "requirements.txt").read_text().endswith("gru_teach @ git+https://x/y\n")


def test_without_a_worked_solution_the_reference_comes_from_gru_teach(tmp_path, monkeypatch):
    book = synthetic_chapter(tmp_path, [NEW_EXERCISE, NEW_STUB])
    with pytest.raises(AssignmentError, match="REFERENCES has no entry 'ch7-count'"):
        assignments.questions(book)
    monkeypatch.setitem(assignments.REFERENCES, "ch7-count",
                        "def n_params(i, h):\n    return 3 * h * (i + h + 2)\n")
    [q] = assignments.questions(book)
    assert q.reference_from.endswith("REFERENCES") and "3 * h * (i + h + 2)" in q.reference


def test_a_solution_that_needs_the_chapters_variables_is_refused_clearly(tmp_path):
    book = synthetic_chapter(tmp_path, [
        NEW_EXERCISE, NEW_STUB,
        ("code", "def n_params(i, h):\n    return table[i, h]\n\ncheck_n(n_params)", "solution"),
    ])
    with pytest.raises(AssignmentError, match="uses 'table', which no import of the chapter binds"):
        assignments.questions(book)


def test_a_check_called_without_a_name_is_refused_clearly(tmp_path):
    book = synthetic_chapter(tmp_path, [
        NEW_EXERCISE, ("code", "from gru_teach.teaching.exercises.ch02 import check_param_count\n"
                               "check_param_count(lambda i, h: 0)"),
    ])
    with pytest.raises(AssignmentError, match="07_new.ipynb, exercise 'ch7-count'.*must be called with a name"):
        assignments.questions(book)


def test_grade_raises_the_checks_message_and_restores_the_time_limit():
    q = next(q for q in QUESTIONS if q.check.endswith("check_step"))
    env = {}
    exec("\n".join(otter_format.setup_imports(chapter_questions(q.chapter))), env)
    exec(mistake(q)[0], env)
    check = eval(q.check, env)
    before = checking.TIME_LIMIT
    with pytest.raises(AssertionError) as info:
        assignments.grade(check, env[q.answer], time_limit=0.5)
    assert str(info.value) == check(env[q.answer]).message and checking.TIME_LIMIT == before
    exec(ENDLESS.format(answer="endless"), env)
    t0 = time.monotonic()
    with pytest.raises(AssertionError, match="did not return within 0.5 s"):
        assignments.grade(check, env["endless"], time_limit=0.5)
    assert time.monotonic() - t0 < 5 and checking.TIME_LIMIT == before
    exec(q.reference, env)
    assert assignments.grade(check, env[q.answer]).passed


# ------------------------------------------------------------------------------------------------ otter-grader

def grade_chapter(master, qs, submissions):
    """In a worker process: otter assign ``master``, then otter run on each submission {kind: {question: code}}.
    Returns the results by kind, the student notebook, the autograder files and the seconds taken."""
    t0 = time.monotonic()
    master = pathlib.Path(master)
    dist = master.parent / "dist"
    assignments.otter_assign(master, dist, run_tests=False)
    student = json.loads((dist / "student" / master.name).read_text(encoding="utf-8"))
    [autograder_zip] = (dist / "autograder").glob("*-autograder_*.zip")
    results = {}
    for kind, answers in submissions.items():
        folder = master.parent / "submissions" / kind
        folder.mkdir(parents=True)
        submission = folder / master.name
        submission.write_text(json.dumps(assignments.fill_answers(student, answers, qs)), encoding="utf-8")
        results[kind] = assignments.otter_run(submission, autograder_zip, folder)
    autograder = sorted(p.name for p in (dist / "autograder").iterdir())
    return results, student, autograder, time.monotonic() - t0


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every chapter assigned and graded with otter-grader, two chapters at a time (2 CPU cores)."""
    pytest.importorskip("otter", reason="otter-grader is pinned in requirements.txt")
    spec = spec_from_file_location("assignments_command", ROOT / "scripts" / "assignments.py")
    command = module_from_spec(spec)        # scripts/assignments.py: the command teachers run
    spec.loader.exec_module(command)
    out = tmp_path_factory.mktemp("assignments")
    assert command.main(["--out", str(out), "--time-limit", str(LIMIT), "--no-assign"]) == 0
    endless_q = next(q for q in QUESTIONS if q.is_function)
    jobs = {}
    for chapter in CHAPTERS:
        master, qs = out / chapter / f"{chapter}_assignment.ipynb", chapter_questions(chapter)
        submissions = {"reference": {q.name: q.reference for q in qs},
                       "mistakes": {q.name: mistake(q)[0] for q in qs}}
        if chapter == endless_q.chapter:
            submissions["endless"] = {**submissions["reference"], endless_q.name: ENDLESS.format(
                answer=endless_q.answer)}
        jobs[chapter] = (master, qs, submissions)
    t0 = time.monotonic()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {chapter: pool.submit(grade_chapter, *job) for chapter, job in jobs.items()}
        done = {chapter: future.result() for chapter, future in futures.items()}
    print(f"\notter assign + otter run for {len(done)} chapters: {time.monotonic() - t0:.1f} s "
          f"({', '.join(f'{c} {d[3]:.1f} s' for c, d in done.items())})")
    return {"endless": endless_q, "results": done}


@pytest.mark.otter
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_otter_assign_writes_the_student_and_autograder_versions(graded, chapter):
    _, student, autograder, _ = graded["results"][chapter]
    assert any(name.endswith(".zip") for name in autograder) and f"{chapter}_assignment.ipynb" in autograder
    answer_cells = ["".join(c["source"]).strip() for c in student["cells"]
                    if "otter_answer_cell" in c["metadata"].get("tags", [])]
    qs = chapter_questions(chapter)
    assert answer_cells == [q.stub.strip() for q in qs], "the student receives the book's stubs"
    text = json.dumps(student)
    for q in qs:
        assert f'grader.check(\\"{q.name}\\")' in text
        body = [line for line in q.reference.splitlines()[1:] if line.strip() and "..." not in line]
        assert not any(line in text for line in body[:2]), f"{q.name}: the solution leaked into the student version"


@pytest.mark.otter
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reference_solutions_get_full_marks(graded, chapter):
    results = graded["results"][chapter][0]["reference"]
    for q in chapter_questions(chapter):
        assert results[q.name]["score"] == results[q.name]["max_score"] == assignments.points(q), results[q.name]


@pytest.mark.otter
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_known_mistake_loses_exactly_its_points_with_the_checks_message(graded, chapter):
    results = graded["results"][chapter][0]["mistakes"]
    for q in chapter_questions(chapter):
        code, words = mistake(q)
        in_book = run_in_process(q, code).message
        assert words in in_book
        assert results[q.name]["score"] == 0 and results[q.name]["max_score"] == assignments.points(q)
        assert in_book.strip("'") in results[q.name]["output"], (q.name, results[q.name]["output"])


@pytest.mark.otter
def test_code_that_never_returns_costs_only_its_question(graded):
    q = graded["endless"]
    results = graded["results"][q.chapter][0]["endless"]
    for other in chapter_questions(q.chapter):
        expected = 0 if other.name == q.name else assignments.points(other)
        assert results[other.name]["score"] == expected, (other.name, results[other.name])
    assert f"did not return within {LIMIT:g} s (it was stopped)" in results[q.name]["output"]
