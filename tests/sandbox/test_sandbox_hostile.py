"""The hostile corpus (tests/hostile/*.txt): each scored failed, nothing escapes, the run goes on."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import stat
import string
from pathlib import Path

import pytest

from llmselect.humaneval import load_problems, program_and_test
from llmselect.sandbox import Sandbox, SandboxLimits

REPO = Path(__file__).resolve().parents[2]
CORPUS = sorted((Path(__file__).resolve().parents[1] / "hostile").glob("*.txt"))
LIMITS = SandboxLimits(timeout_seconds=3, cpu_seconds=2, memory_mb=512)
SECRET = "LLMSELECT_TEST_FAKE_TOKEN"


def _uids_alive(low: int, high: int) -> list[int]:
    """PIDs of live processes whose real uid is in [low, high)."""
    alive = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid = int(next(ln for ln in status.read_text().splitlines() if ln.startswith("Uid:")).split()[1])
        except (OSError, StopIteration):
            continue
        if low <= uid < high:
            alive.append(int(status.parent.name))
    return alive


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Sentinels, a fake secret in env and in a world-readable ~/.ssh, a 127.0.0.1 listener."""
    token = "tok-" + secrets.token_hex(12)
    outside = REPO / f".sandbox-test-{secrets.token_hex(4)}"  # not under /tmp, world-writable
    (outside / "home" / ".ssh").mkdir(parents=True)
    (outside / "home" / ".ssh" / "id_rsa").write_text(f"-----FAKE KEY {token}-----\n")
    repo_sentinel = outside / "sentinel.txt"
    repo_sentinel.write_text("original")
    sentinel_dir = tmp_path_factory.mktemp("sentinels")
    (sentinel_dir / "keep.txt").write_text("original")
    for path in (outside, outside / "home", outside / "home" / ".ssh", sentinel_dir):
        path.chmod(0o777)
    for path in (repo_sentinel, sentinel_dir / "keep.txt", outside / "home" / ".ssh" / "id_rsa"):
        path.chmod(0o666)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    saved = {k: os.environ.get(k) for k in (SECRET, "HOME")}
    os.environ[SECRET], os.environ["HOME"] = token, str(outside / "home")
    values = {"SENTINEL_DIR": str(sentinel_dir), "REPO_SENTINEL": str(repo_sentinel),
              "PORT": str(listener.getsockname()[1]), "PARENT_PID": str(os.getpid()),
              "HOME_SSH": str(outside / "home" / ".ssh" / "id_rsa")}
    yield {"token": token, "values": values, "listener": listener, "sentinel_dir": sentinel_dir,
           "repo_sentinel": repo_sentinel}
    for key, value in saved.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    listener.close()
    shutil.rmtree(outside, ignore_errors=True)


@pytest.fixture(scope="module")
def outcome(world):
    """Run the whole corpus in one batch, with correct solutions before, between and after."""
    problems = {p["task_id"]: p for p in load_problems()}
    control = [program_and_test(problems[t], problems[t]["canonical_solution"])
               for t in ("HumanEval/0", "HumanEval/2")]
    jobs, names = list(control), ["control-start-0", "control-start-2"]
    for path in CORPUS:
        text = string.Template(path.read_text()).substitute(world["values"])
        task_id = text.splitlines()[0].split("problem:")[1].strip()
        jobs += [program_and_test(problems[task_id], text), control[0]]
        names += [path.stem, f"control-after-{path.stem}"]
    with Sandbox(workers=2, limits=LIMITS) as sandbox:
        results = sandbox.run_many(jobs)
        span = (sandbox._base, sandbox._base + sandbox.size)
        alive_during = _uids_alive(*span)
    return {"results": dict(zip(names, results)), "alive": alive_during,
            "alive_after": _uids_alive(*span)}


def test_corpus_is_complete():
    expected = {"fork_bomb", "infinite_loop", "memory_bomb", "sleep_past_limit", "files_outside",
                "read_secrets", "socket_out", "kill_parent", "exit_before_asserts", "system_exit",
                "patch_builtins", "patch_checker", "print_passed", "daemon"}
    assert expected <= {p.stem for p in CORPUS}


@pytest.mark.parametrize("name", [p.stem for p in CORPUS])
def test_hostile_completion_scored_failed(outcome, name):
    result = outcome["results"][name]
    assert result.passed is False
    assert result.error is None, result.error  # the sandbox itself held up


def test_the_run_goes_on(outcome):
    controls = {k: v for k, v in outcome["results"].items() if k.startswith("control")}
    assert len(controls) == len(CORPUS) + 2
    assert all(r.passed for r in controls.values()), {k: r.output for k, r in controls.items() if not r.passed}


def test_no_process_survives(outcome):
    assert outcome["alive"] == [] and outcome["alive_after"] == []


def test_limits_did_the_stopping(outcome):
    res = outcome["results"]
    assert res["sleep_past_limit"].timed_out and res["sleep_past_limit"].seconds < LIMITS.timeout_seconds + 2
    assert res["infinite_loop"].seconds < LIMITS.timeout_seconds + 2
    assert "MemoryError" in res["memory_bomb"].output or res["memory_bomb"].exit_code != 0
    assert res["fork_bomb"].seconds < LIMITS.timeout_seconds + 2


def test_files_outside_are_untouched(outcome, world):
    assert (world["sentinel_dir"] / "keep.txt").read_text() == "original"
    assert world["repo_sentinel"].read_text() == "original"
    assert stat.S_IMODE(world["repo_sentinel"].stat().st_mode) == 0o666
    assert not Path(str(world["repo_sentinel"]) + ".new").exists()
    assert sorted(p.name for p in world["sentinel_dir"].iterdir()) == ["keep.txt"]
    assert "blocked" in outcome["results"]["files_outside"].output


def test_secret_appears_nowhere(outcome, world):
    dump = "".join(r.model_dump_json() for r in outcome["results"].values())
    assert world["token"] not in dump
    assert "blocked" in outcome["results"]["read_secrets"].output  # it did try


def test_listener_saw_no_connection(outcome, world):
    with pytest.raises(BlockingIOError):
        world["listener"].accept()
    assert "CONNECTED" not in outcome["results"]["socket_out"].output


def test_isolation_is_recorded(outcome):
    iso = outcome["results"]["control-start-0"].isolation
    if os.geteuid() == 0:
        assert isinstance(iso["uid"], int) and iso["uid"] > 65535
    assert "seccomp-no-sockets" in iso["network"]
    assert iso["pid"] == "pidns"


def test_builtins_patch_would_fool_a_shared_namespace_harness(outcome):
    """The patch_builtins case is a real attack: plain exec of program+test is fooled by it."""
    problem = next(p for p in load_problems() if p["task_id"] == "HumanEval/2")
    text = (Path(__file__).parent / "hostile" / "patch_builtins.txt").read_text()
    program, test = program_and_test(problem, text)
    import builtins

    saved = builtins.abs
    try:
        exec(program + "\n" + test, {"__name__": "naive"})  # noqa: S102 - trusted enough: it only patches abs
    finally:
        builtins.abs = saved
    assert outcome["results"]["patch_builtins"].passed is False
