"""What one sample is, what it may use, and what one sample's run reports.

WHY pydantic: jobs and limits travel to the worker as JSON and into result files; extra="forbid"
turns a misspelt limit into an error instead of a silently unlimited sample.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Job(BaseModel):
    """One untrusted program and the trusted test that judges it.

    The program (model-written) runs in one process; ``prelude`` then ``test`` (benchmark text,
    trusted) run in another, where each name in ``calls`` is a proxy that calls the program's
    function of that name with plain data. Nothing but plain data crosses.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    program: str = Field(description="untrusted code; defines the functions named in `calls`")
    test: str = Field(description="trusted code whose asserts judge the program")
    calls: tuple[str, ...] = Field(min_length=1, description="program functions the test may call")
    prelude: str = Field("", description="trusted code run before the test (imports, helpers)")


class SandboxLimits(BaseModel):
    """Per-sample limits. Defaults fit HumanEval (its reference harness allows 3 s per sample)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(5.0, gt=0, description="wall clock, enforced by SIGKILL")
    cpu_seconds: int = Field(5, ge=1, description="RLIMIT_CPU (soft; hard = soft + 1)")
    memory_mb: int = Field(1024, ge=64, description="RLIMIT_AS")
    file_mb: int = Field(16, ge=1, description="RLIMIT_FSIZE")
    processes: int = Field(32, ge=1, description="RLIMIT_NPROC for the sample's own uid")
    open_files: int = Field(256, ge=16, description="RLIMIT_NOFILE")
    scratch_mb: int = Field(64, ge=1, description="size of each of the sample's fresh /tmp, "
                                                  "/var/tmp and /dev/shm")

    def for_worker(self) -> dict:
        return {"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_mb << 20,
                "file_bytes": self.file_mb << 20, "processes": self.processes,
                "open_files": self.open_files, "scratch_bytes": self.scratch_mb << 20}


class SampleResult(BaseModel):
    """The verdict on one program: ``passed`` only when the checker's test returned."""

    model_config = ConfigDict(extra="forbid")

    passed: bool
    timed_out: bool = False
    exit_code: int | None = Field(None, description="the checker's exit status")
    sample_exit: str | None = Field(None, description="how the program's process ended, if it "
                                                      "ended before the verdict")
    seconds: float = 0.0
    output: str = Field("", description="tail of the sample's and the test's stdout+stderr")
    error: str | None = Field(None, description="sandbox failure (not the sample's)")
    isolation: dict = Field(default_factory=dict, description="isolation actually in effect")
