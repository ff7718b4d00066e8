"""Every class of bad input (issue 13), one row each: exit 2 (user) or 3 (environment), at most
three lines on stderr, no traceback, and the words that say what, where and how to fix.

Rows run in process through CliRunner (the same error boundary, ``cli/main.py``); the rows in
``CONSOLE`` also run through the real ``llmselect`` console script in a subprocess, as a user
meets them. Files each row needs are made by the ``ws`` fixture; ``{t}`` in a row is its folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.compare_runs import make_run, outcomes
from helpers.profiles import GOOD
from llmselect.cli.main import app

REPO = Path(__file__).resolve().parents[2]
CARD = """
id: acme-7b
name: ACME 7B
aliases: [acme]
vendor: meta
open_weights: {value: true, source: B-chatbot-en}
params_total_b: {value: 7, source: B-chatbot-en}
"""
HEAVY = ("lm_eval", "torch", "transformers", "datasets", "llama_cpp", "accelerate", "gguf",
         "vllm", "evaluate", "matplotlib", "tqdm", "huggingface_hub")  # none in the light install


def _card(t: Path, name: str, text: str) -> None:
    (t / name).mkdir()
    (t / name / "card.yaml").write_text(text)


@pytest.fixture
def ws(tmp_path) -> Path:
    """Every bad file the rows point at, in one folder."""
    t = tmp_path
    (t / "binary.yaml").write_bytes(b"description: \xff\xfe\x00\x80 garbage\n")
    (t / "deep.yaml").write_text("a: " + "[" * 50_000 + "]" * 50_000)
    (t / "list.yaml").write_text("- description\n- criteria\n")
    (t / "scalar.yaml").write_text("42\n")
    (t / "folder.yaml").mkdir()
    (t / "other.yaml").write_text(GOOD)
    for name, body in {
        "ext_abs": f"extends: {t / 'other.yaml'}\n", "ext_rel": "extends: ../../etc/passwd\n",
        "nan": "criteria: {weights: {quality: .nan}}\n",
        "inf": "criteria: {weights: {quality: .inf, cost: 1}}\n",
        "nan_hw": "hardware: {name: box, memory_gb: .nan}\n",
        "lang": "constraints: {languages: [xx]}\n",
        "lang_name": "preferred_languages: [english]\n",
        "multi": "constraints: {languages: [multi]}\n",
    }.items():
        (t / f"{name}.yaml").write_text("extends: chatbot-en\n" + body if "extends" not in body
                                        else body + GOOD)
    (t / "huge.yaml").write_bytes(b"# " + b"x" * (17 * 2**20) + b"\n")
    res = t / "res"
    res.mkdir()
    (t / "res_trunc").mkdir()
    (t / "res_trunc" / "run.json").write_text('{"version": 1, "run_id": "r')
    (t / "res_foreign").mkdir()
    (t / "res_foreign" / "package.json").write_text('{"name": "left-pad", "version": "1.3.0"}')
    (t / "res_empty").mkdir()
    (t / "res_empty" / "run.json").write_text("")
    (t / "res_binary").mkdir()
    (t / "res_binary" / "run.json").write_bytes(b"\xff\xfe{\x00")
    (t / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (t / "list.json").write_text("[1, 2]")
    (t / "scalar.json").write_text("3.5")
    base = outcomes(200, 0.6, 1)
    make_run(res, "base", "m1", {"mmlu": base}, samples=False)
    make_run(res, "cand", "m2", {"mmlu": base}, samples=False)
    (res / "broken.json").write_text('{"version": 1')
    (t / "card_binary").mkdir()
    (t / "card_binary" / "card.yaml").write_bytes(b"id: x\nname: \xff\xfe\n")
    _card(t, "card_negative", CARD.replace("value: 7,", "value: -7,"))
    _card(t, "card_nan", CARD.replace("value: 7,", "value: .nan,"))
    _card(t, "card_context", CARD + "context_tokens: {value: 0, source: B-chatbot-en}\n")
    _card(t, "card_price", CARD + "price: {input_per_mtok_usd: -1, output_per_mtok_usd: 1, "
          "source: B-chatbot-en}\n")
    _card(t, "card_lang", CARD + "languages: {value: [en, xx], source: B-chatbot-en}\n")
    _card(t, "card_alias", CARD.replace("[acme]", "[acme, llama3-8b]"))
    _card(t, "card_id", CARD.replace("id: acme-7b", "id: llama3-8b"))
    (t / "a_file").write_text("not a folder")
    return t


#: (id, argv, env, exit code, words that must be in stderr)
ROWS = [
    # --- tracebacks before: undecodable bytes, deep nesting, wrong top level, long names
    ("profile-binary", "recommend -p {t}/binary.yaml", {}, 2, ["binary.yaml", "not UTF-8"]),
    ("card-binary", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_binary"}, 2,
     ["card.yaml", "not UTF-8"]),
    ("result-binary-explicit", "compare {t}/res_binary/run.json {t}/res/base.json", {}, 2,
     ["run.json", "not UTF-8"]),
    ("profile-deep-yaml", "recommend -p {t}/deep.yaml", {}, 2, ["deep.yaml", "nesting"]),
    ("result-deep-json", "compare {t}/deep.json {t}/res/base.json", {}, 2,
     ["deep.json", "nested too deeply"]),
    ("result-json-list", "compare {t}/list.json {t}/res/base.json", {}, 2,
     ["list.json", "top level is a list"]),
    ("result-json-scalar", "compare {t}/scalar.json {t}/res/base.json", {}, 2,
     ["scalar.json", "top level is a float"]),
    ("profile-yaml-list", "recommend -p {t}/list.yaml", {}, 2, ["list.yaml", "not a list"]),
    ("profile-yaml-scalar", "recommend -p {t}/scalar.yaml", {}, 2, ["mapping", "not a number"]),
    ("profile-name-too-long", "recommend -p " + "p" * 300, {}, 2, ["too long", "shorter"]),
    ("profile-path-too-long", "recommend -p ./" + "p" * 300 + ".yaml", {}, 2, ["too long"]),
    ("extends-absolute-path", "recommend -p {t}/ext_abs.yaml", {}, 2,
     ["ext_abs.yaml", "extends", "is a path", "profile name"]),
    ("extends-relative-path", "recommend -p {t}/ext_rel.yaml", {}, 2,
     ["extends", "../../etc/passwd", "is a path"]),
    ("debug-0-is-off", "recommend -p {t}/binary.yaml", {"LLMSELECT_DEBUG": "0"}, 2,
     ["not UTF-8"]),
    # --- silence before: every results folder given explicitly is checked
    ("results-missing-folder", "results -d {t}/nope", {}, 2, ["nope", "does not exist"]),
    ("results-plain-file", "results -d {t}/a_file", {}, 2, ["a_file", "is a file"]),
    ("recommend-results-missing", "recommend -p chatbot-en --results {t}/nope", {}, 2,
     ["nope", "does not exist"]),
    ("recommend-results-file", "recommend -p chatbot-en --results {t}/a_file", {}, 2,
     ["is a file, not a folder"]),
    ("compare-dir-missing", "compare base cand -d {t}/nope", {}, 2, ["nope", "does not exist"]),
    ("gate-dir-missing", "gate -b base -c cand --max-drop 1 -d {t}/nope", {}, 2,
     ["nope", "does not exist"]),
    ("report-results-missing", "report -p chatbot-en --results {t}/nope -o {t}/r.html", {}, 2,
     ["nope", "does not exist"]),
    ("bench-nothing-runs", "bench smollm2-135m --suite humaneval --dry-run -o {t}/out", {}, 2,
     ["nothing would run", "--allow-code-execution"]),
    ("bench-limit-negative", "bench smollm2-135m --suite mmlu --limit -1 --dry-run", {}, 2,
     ["--limit -1", "number of items"]),
    ("bench-limit-fractional-count", "bench smollm2-135m --suite mmlu --limit 2.5 --dry-run", {},
     2, ["--limit 2.5", "whole number"]),
    ("suite-missing-file", "bench smollm2-135m --suite ./none.yaml --dry-run", {}, 2,
     ["no such suite file"]),
    # --- accepted nonsense before
    ("profile-nan-weight", "recommend -p {t}/nan.yaml", {}, 2,
     ["criteria.weights.quality", "finite number"]),
    ("profile-inf-weight", "recommend -p {t}/inf.yaml", {}, 2, ["weights.quality", "finite"]),
    ("profile-nan-memory", "recommend -p {t}/nan_hw.yaml", {}, 2, ["hardware.memory_gb", "finite"]),
    ("gate-max-drop-nan", "gate -b base -c cand --max-drop nan -d {t}/res", {}, 2,
     ["--max-drop", "not a finite number"]),
    ("gate-max-drop-inf", "gate -b base -c cand --max-drop inf -d {t}/res", {}, 2,
     ["--max-drop", "not a finite number"]),
    ("gate-max-drop-negative", "gate -b base -c cand --max-drop -1 -d {t}/res", {}, 2,
     ["--max-drop", ">= 0"]),
    ("gate-max-slowdown-nan", "gate -b base -c cand --max-drop 1 --max-slowdown nan -d {t}/res",
     {}, 2, ["--max-slowdown", "not a finite number"]),
    ("compare-confidence-nan", "compare base cand --confidence nan -d {t}/res", {}, 2,
     ["--confidence"]),
    ("models-max-memory-nan", "models --max-memory nan", {}, 2, ["--max-memory", "finite"]),
    ("models-max-memory-negative", "models --max-memory -1", {}, 2, ["--max-memory", "positive"]),
    ("card-negative-params", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_negative"}, 2,
     ["card.yaml", "params_total_b.value", "greater than 0"]),
    ("card-nan-params", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_nan"}, 2,
     ["params_total_b.value", "finite"]),
    ("card-zero-context", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_context"}, 2,
     ["context_tokens.value", "greater than 0"]),
    ("card-negative-price", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_price"}, 2,
     ["price.input_per_mtok_usd", "greater than or equal to 0"]),
    ("card-unknown-language", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_lang"}, 2,
     ["languages.value", "unknown language code 'xx'"]),
    ("profile-unknown-language", "recommend -p {t}/lang.yaml", {}, 2,
     ["constraints.languages", "unknown language code 'xx'", "ISO 639"]),
    ("profile-language-name", "recommend -p {t}/lang_name.yaml", {}, 2,
     ["preferred_languages", "'english'", "did you mean 'en'"]),
    ("profile-multi-is-no-language", "recommend -p {t}/multi.yaml", {}, 2,
     ["'multi' is not a language"]),
    ("models-unknown-language", "models --language xx", {}, 2,
     ["--language", "unknown language code 'xx'"]),
    ("profiles-path-missing", "recommend -p chatbot-en", {"LLMSELECT_PROFILES_PATH": "{t}/nope"},
     2, ["LLMSELECT_PROFILES_PATH", "nope", "does not exist"]),
    ("suites-path-missing", "suites", {"LLMSELECT_SUITES_PATH": "{t}/nope"}, 2,
     ["LLMSELECT_SUITES_PATH", "nope", "does not exist"]),
    ("catalog-path-missing", "models", {"LLMSELECT_CATALOG_PATH": "{t}/nope"}, 2,
     ["LLMSELECT_CATALOG_PATH", "nope", "does not exist"]),
    ("catalog-path-is-file", "models", {"LLMSELECT_CATALOG_PATH": "{t}/a_file"}, 2,
     ["LLMSELECT_CATALOG_PATH", "is not a folder"]),
    # --- usage boxes before: one line at the boundary for every option and argument
    ("top-not-int", "recommend -p chatbot-en --top x", {}, 2, ["recommend", "--top", "integer"]),
    ("top-zero", "recommend -p chatbot-en --top 0", {}, 2, ["--top", "greater than or equal to 1"]),
    ("format-unknown", "recommend -p chatbot-en --format xml", {}, 2, ["--format", "'xml'"]),
    ("max-memory-not-number", "models --max-memory abc", {}, 2, ["--max-memory", "number"]),
    ("context-zero", "models --context 0", {}, 2, ["--context", "greater than or equal to 1"]),
    ("confidence-out-of-range", "compare a b --confidence 2", {}, 2, ["--confidence", "0.999"]),
    ("max-drop-not-number", "gate -b a -c b --max-drop x", {}, 2, ["--max-drop", "number"]),
    ("missing-required-option", "recommend", {}, 2, ["Missing option", "--profile"]),
    ("missing-argument", "profiles show", {}, 2, ["Missing argument"]),
    ("unknown-option", "recommend -p chatbot-en --bogus", {}, 2, ["No such option", "--bogus"]),
    ("unknown-top-option", "--bogus", {}, 2, ["No such option", "--bogus", "llmselect --help"]),
    ("unknown-command", "recomend", {}, 2, ["No such command", "recomend"]),
    # --- odd messages before
    ("profile-is-folder", "recommend -p {t}/folder.yaml", {}, 2, ["is a folder", "YAML file"]),
    ("profile-folder-no-suffix", "recommend -p {t}", {}, 2, ["is a folder"]),
    ("profile-missing-file", "recommend -p {t}/none.yaml", {}, 2, ["no such profile file"]),
    ("export-missing-folder", "results -d {t}/res --export {t}/nope/x.csv", {}, 3,
     ["cannot write", "x.csv", "No such file or directory", "--export"]),
    ("export-under-a-file", "results -d {t}/res --export {t}/a_file/x.csv", {}, 3,
     ["cannot write", "Not a directory"]),
    ("report-missing-folder", "report -p chatbot-en -o {t}/nope/r.html", {}, 2,
     ["folder", "does not exist"]),
    ("alias-clash-blames-user-card", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_alias"}, 2,
     ["card_alias/card.yaml", "aliases.1", "'llama3-8b'", "llama3-8b-instruct"]),
    ("user-id-is-builtin-alias", "models", {"LLMSELECT_CATALOG_PATH": "{t}/card_id"}, 2,
     ["card_id/card.yaml", "id: 'llama3-8b'", "alias of built-in"]),
    # --- slow before: refused by size before parsing
    ("profile-too-large", "recommend -p {t}/huge.yaml", {}, 2, ["huge.yaml", "larger than 16 MiB"]),
]
#: rows that also go through the installed console script, in a subprocess
CONSOLE = {"profile-binary", "gate-max-drop-nan", "top-not-int", "unknown-top-option",
           "extends-relative-path", "profiles-path-missing", "debug-0-is-off",
           "export-missing-folder"}


def _fill(value: str, t: Path) -> str:
    return value.replace("{t}", str(t))


def check(code: int, stdout: str, stderr: str, row) -> None:
    _, _, _, want, words = row
    assert code == want, f"exit {code}\n{stdout}\n{stderr}"
    lines = stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, stderr
    assert "Traceback" not in stderr and "╭" not in stderr, stderr
    assert lines[-1].startswith("llmselect: error: "), stderr
    for word in words:
        assert word.lower() in stderr.lower(), f"{word!r} not in: {stderr}"
    assert stdout == "", stdout  # no half output before the error


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_in_process(row, ws, monkeypatch):
    _, argv, env, _, _ = row
    for key, value in env.items():
        monkeypatch.setenv(key, _fill(value, ws))
    result = CliRunner().invoke(app, [_fill(a, ws) for a in argv.split()])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                     SystemExit), result.exception
    check(result.exit_code, result.stdout, result.stderr, row)


def console_env(extra: dict[str, str] | None = None, pythonpath: list[str] | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMSELECT_")}
    env["LLMSELECT_RESULTS_DIR"] = os.environ["LLMSELECT_RESULTS_DIR"]
    env["PYTHONPATH"] = os.pathsep.join([*(pythonpath or []), str(REPO),
                                         os.environ.get("PYTHONPATH", "")])
    env["COLUMNS"] = "80"
    return env | (extra or {})


def console(args: list[str], env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("llmselect")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "llmselect"]
    return subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=120,
                          input=stdin)


@pytest.mark.parametrize("row", [r for r in ROWS if r[0] in CONSOLE],
                         ids=[r[0] for r in ROWS if r[0] in CONSOLE])
def test_bad_input_through_the_console_script(row, ws):
    _, argv, env, _, _ = row
    proc = console([_fill(a, ws) for a in argv.split()],
                   console_env({k: _fill(v, ws) for k, v in env.items()}))
    check(proc.returncode, proc.stdout, proc.stderr, row)


def test_every_row_class_is_listed_once():
    ids = [r[0] for r in ROWS]
    assert len(ids) == len(set(ids)) and CONSOLE <= set(ids)


# ------------------------------------------------------------------ the light install

@pytest.fixture
def light(tmp_path) -> list[str]:
    """A PYTHONPATH entry whose sitecustomize makes the heavy packages absent (``None`` in
    sys.modules: ``import`` fails and ``importlib.util.find_spec`` answers None, exactly as on
    ``pip install llmselect`` without extras)."""
    (tmp_path / "light").mkdir()
    (tmp_path / "light" / "sitecustomize.py").write_text(
        "import sys\nfor _m in %r:\n    sys.modules[_m] = None\n" % (HEAVY,))
    return [str(tmp_path / "light")]


@pytest.mark.parametrize("argv, extra", [
    (["bench", "smollm2-135m", "--suite", "quick"], "llmselect[bench,llamacpp]"),
    (["bench", "hf:org/model", "--suite", "mmlu", "--dry-run"], "llmselect[bench]"),
    (["report", "-p", "chatbot-en", "-o", "{t}/r.html"], "llmselect[report]"),
])
def test_light_install_names_the_extra(argv, extra, light, tmp_path):
    proc = console([_fill(a, tmp_path) for a in argv], console_env(pythonpath=light))
    check(proc.returncode, proc.stdout, proc.stderr,
          ("", "", {}, 3, ["not installed", f"pip install '{extra}'"]))


def test_light_install_still_recommends(light):
    proc = console(["recommend", "-p", "chatbot-en", "--top", "1", "--format", "json"],
                   console_env(pythonpath=light))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ranked"]


# ------------------------------------------------------------------ what still works

def test_debug_1_re_raises_with_the_traceback(ws, monkeypatch):
    proc = console(["recommend", "-p", f"{ws}/binary.yaml"], console_env({"LLMSELECT_DEBUG": "1"}))
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "UserError" in proc.stderr


@pytest.mark.parametrize("argv", [["--help"], ["recommend", "--help"], ["gate", "--help"],
                                  ["models", "--help"]])
def test_help_still_prints_help(argv):
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0 and "Usage" in result.stdout and "--help" in result.stdout


def test_no_arguments_prints_help():
    result = CliRunner().invoke(app, [])
    assert "Usage" in result.output and "recommend" in result.output
    assert "llmselect: error" not in result.output


def test_profile_from_a_pipe_is_read():
    """``--profile <(...)``: the shell passes /dev/fd/N, a pipe, not a regular file."""
    read, write = os.pipe()
    os.write(write, ("extends: chatbot-en\nname: piped\n").encode())
    os.close(write)
    try:
        result = CliRunner().invoke(app, ["recommend", "-p", f"/dev/fd/{read}", "--top", "1",
                                          "--format", "json"])
    finally:
        os.close(read)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["profile"] == "piped"


def test_unreadable_runs_are_named_not_dropped(ws):
    """results and recommend --results name each unusable file with its reason, and go on."""
    for folder, reason in (("res_trunc", "not valid JSON"), ("res_foreign", "schema version"),
                           ("res_empty", "not valid JSON"), ("res_binary", "not UTF-8")):
        for argv in (["results", "-d", str(ws / folder), "--format", "json"],
                     ["recommend", "-p", "chatbot-en", "--results", str(ws / folder),
                      "--format", "json", "--top", "1"]):
            result = CliRunner().invoke(app, argv)
            assert result.exit_code == 0, result.output
            warning = result.stderr.strip().splitlines()
            assert len(warning) == 1 and "skipped" in warning[0], result.stderr
            assert str(ws / folder) in warning[0] and reason in warning[0], warning
            json.loads(result.stdout)


def test_compare_names_an_unreadable_run_in_the_folder_it_searches(ws):
    result = CliRunner().invoke(app, ["compare", "m1", "m2", "-d", str(ws / "res"),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "broken.json" in result.stderr and "not valid JSON" in result.stderr


def test_a_nan_score_never_passes_the_gate(ws):
    path = ws / "res" / "cand.json"
    raw = json.loads(path.read_text())
    raw["tasks"]["mmlu"]["value"] = float("nan")
    path.write_text(json.dumps(raw))
    result = CliRunner().invoke(app, ["gate", "-b", "base", "-c", "cand", "--max-drop", "1",
                                      "-d", str(ws / "res")])
    assert result.exit_code != 0 or "not a number" in result.output.lower()


def test_light_commands_and_their_errors_import_no_heavy_engine(ws):
    """--help, recommend, models, profiles, and the error boundary itself (usage errors,
    profile errors) stay light; built-in profiles and cards, all ISO 639-1, do not even load
    pycountry's table (only a three-letter code or an error message does)."""
    calls = [["--help"], ["recommend", "-p", "chatbot-en", "--format", "json"],
             ["models", "--language", "fr"], ["profiles"], ["suites"],
             ["recommend", "-p", "chatbot-en", "--top", "x"],
             ["gate", "-b", "a", "-c", "b", "--max-drop", "nan"],
             ["recommend", "-p", str(ws / "nan.yaml")]]
    code = ("import sys; from typer.testing import CliRunner; from llmselect.cli.main import app\n"
            f"for argv in {calls!r}:\n"
            "    r = CliRunner().invoke(app, argv); assert r.exit_code in (0, 2), (argv, r.output)\n"
            f"print(sorted(m for m in {HEAVY + ('pycountry', 'scipy')!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=console_env())
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
