"""What this machine has: CPU, cores, RAM and GPUs with their memory.

Recorded in every bench run (speed and memory only compare on the same hardware) and used by
``recommend --hardware local`` as the target. Memory is in GB = 10^9 bytes, like every size
llmselect prints. Detection stays light: GPUs come from
``nvidia-smi`` when it is on PATH, or from ``torch.cuda`` only if torch is *already* imported
(importing torch costs seconds and hundreds of MB; never pay that to describe the machine).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmselect.run_schema import Hardware

if TYPE_CHECKING:
    from llmselect.config.profile_schema import TargetHardware

GB = 1e9
NVIDIA_SMI_QUERY = ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"]


def detect_hardware() -> Hardware:
    """CPU model, physical cores, RAM (GB) and GPUs (name, vram_gb in GB) of this machine."""
    return Hardware(cpu=cpu_model(), cores=physical_cores(), ram_gb=ram_gb(), gpus=detect_gpus(),
                    platform=platform.platform())


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The marketing name ('AMD EPYC 7763 64-Core Processor'); platform's guess elsewhere."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in {"model name", "Hardware", "Processor"} and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or None


def physical_cores() -> int | None:
    """Physical cores (what llama.cpp threads scale with); logical count as a fallback."""
    import psutil

    return psutil.cpu_count(logical=False) or os.cpu_count()


def ram_gb() -> float | None:
    import psutil

    try:
        return round(psutil.virtual_memory().total / GB, 1)
    except (OSError, RuntimeError):
        return None


def detect_gpus() -> list[dict[str, Any]]:
    """GPUs from nvidia-smi, else from torch.cuda if torch is already loaded, else none."""
    gpus = _nvidia_smi_gpus()
    if gpus is None and "torch" in sys.modules:
        gpus = _torch_gpus(sys.modules["torch"])
    return gpus or []


def _nvidia_smi_gpus() -> list[dict[str, Any]] | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, *NVIDIA_SMI_QUERY], capture_output=True, text=True,
                             timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_nvidia_smi(out)


def parse_nvidia_smi(text: str) -> list[dict[str, Any]]:
    """Rows 'NVIDIA A100-SXM4-80GB, 81920' (MiB) -> [{'name': ..., 'vram_gb': 85.9}] (GB)."""
    gpus = []
    for line in text.strip().splitlines():
        name, _, mib = line.rpartition(",")
        try:
            gpus.append({"name": name.strip(), "vram_gb": round(float(mib) * 2**20 / GB, 1)})
        except ValueError:
            continue
    return gpus


def _torch_gpus(torch: Any) -> list[dict[str, Any]] | None:
    try:
        if not torch.cuda.is_available():
            return None
        props = [torch.cuda.get_device_properties(i) for i in range(torch.cuda.device_count())]
    except Exception:  # a broken CUDA install must not break describing the machine
        return None
    return [{"name": p.name, "vram_gb": round(p.total_memory / GB, 1)} for p in props]


def local_target(quantization: list[str] | None = None,
                 hardware: Hardware | None = None) -> TargetHardware:
    """This machine as a profile's ``hardware:`` target, for ``recommend --hardware local``.

    GPUs present: a GPU target with one device per GPU and the smallest card's VRAM (a model
    split over cards is bounded by the smallest). No GPU: a CPU target with the RAM, its memory
    bandwidth measured here (``measure_memory_bandwidth_gbps``, so decode speed is estimated for
    THIS machine, not quoted from another), and the GGUF formats CPUs run appended to the allowed
    ``quantization`` list. The machine is already paid for, so it costs its energy: an
    estimated draw (``POWER_W``) at the default electricity price.
    """
    from llmselect.config.profile_schema import TargetHardware
    from llmselect.errors import EnvironmentProblem
    from llmselect.memory import GIB

    hw = hardware or detect_hardware()
    quant = list(quantization or ["fp16"])
    if hw.gpus:
        vram = min(float(g.get("vram_gb") or 0) for g in hw.gpus)
        return TargetHardware(name=f"this machine: {len(hw.gpus)}x {hw.gpus[0].get('name', 'GPU')}"
                              f" {vram:g} GB", kind="gpu", devices=len(hw.gpus),
                              memory_gb=vram / GIB, monthly_cost_usd=0,
                              power_watts=POWER_W["gpu"] * len(hw.gpus) + POWER_W["host"],
                              quantization=quant, source="detected")
    if not hw.ram_gb:
        raise EnvironmentProblem("could not detect this machine's RAM (psutil); describe the "
                                 "hardware in the profile's `hardware:` section instead")
    cpu_quant = list(dict.fromkeys([*quant, "Q8_0", "Q4_K_M", "Q4_0"]))
    cores = hw.cores or 1
    return TargetHardware(name=f"this machine: {hw.cpu or 'CPU'}, {cores} cores, {hw.ram_gb:g} GB RAM",
                          kind="cpu", devices=1, memory_gb=hw.ram_gb / GIB, monthly_cost_usd=0,
                          memory_bandwidth_gbps=measure_memory_bandwidth_gbps(),
                          power_watts=max(POWER_W["cpu_min"], POWER_W["cpu_core"] * cores),
                          quantization=cpu_quant, source="detected; bandwidth measured here")


#: Estimated draw while serving (W), for the energy an owned machine costs: a datacenter GPU
#: ~300 W (A100 PCIe 300 W, L40S 350 W), the host around it ~100 W; a CPU ~15 W per busy core
#: (server parts run 5-10 W per core, desktops more), at least 35 W. Estimates, said as such.
POWER_W = {"gpu": 300.0, "host": 100.0, "cpu_core": 15.0, "cpu_min": 35.0}


def measure_memory_bandwidth_gbps(megabytes: int = 64, repeats: int = 3) -> float:
    """This machine's memory bandwidth (GB/s) as a large array copy sees it (read + write), the
    best of a few: decoding a model on the CPU streams its weights the same way. A 64 MB array
    is far beyond any cache; the whole measure takes a fraction of a second."""
    import time

    import numpy as np

    src = np.ones(megabytes * 2**20 // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return round(2 * src.nbytes / best / 1e9, 1)
