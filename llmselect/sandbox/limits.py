"""What one sample may use, and what one sample's run reports.

WHY pydantic: the limits travel to the worker as JSON and into result files; extra="forbid"
turns a misspelt limit into an error instead of a silently unlimited sample.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SandboxLimits(BaseModel):
    """Per-sample limits. Defaults fit HumanEval (its reference harness allows 3 s per sample)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(5.0, gt=0, description="wall clock, enforced by SIGKILL")
    cpu_seconds: int = Field(5, ge=1, description="RLIMIT_CPU (soft; hard = soft + 1)")
    memory_mb: int = Field(1024, ge=64, description="RLIMIT_AS")
    file_mb: int = Field(16, ge=1, description="RLIMIT_FSIZE")
    processes: int = Field(32, ge=1, description="RLIMIT_NPROC for the sample's own uid")
    open_files: int = Field(256, ge=16, description="RLIMIT_NOFILE")

    def for_worker(self) -> dict:
        return {"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_mb << 20,
                "file_bytes": self.file_mb << 20, "processes": self.processes,
                "open_files": self.open_files}


class SampleResult(BaseModel):
    """The verdict on one program. ``passed`` is only True on the harness's nonce line."""

    model_config = ConfigDict(extra="forbid")

    passed: bool
    timed_out: bool = False
    exit_code: int | None = None
    seconds: float = 0.0
    output: str = Field("", description="tail of the sample's stdout+stderr")
    error: str | None = Field(None, description="sandbox failure (not the sample's)")
    isolation: dict = Field(default_factory=dict, description="isolation actually in effect")
