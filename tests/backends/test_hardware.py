"""Hardware detection: parsing, a fake nvidia-smi on PATH, the CLI, and the local target."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from llmselect import hardware
from llmselect.cli.main import app
from llmselect.store import Hardware


def test_parse_nvidia_smi_converts_mib_to_gb_and_skips_garbage():
    # GB = 10^9 bytes, as everything llmselect prints: 81,920 MiB = 85.9 GB
    text = "NVIDIA A100-SXM4-80GB, 81920\nNVIDIA GeForce RTX 4090, 24564\n[N/A], n/a\n"
    assert hardware.parse_nvidia_smi(text) == [
        {"name": "NVIDIA A100-SXM4-80GB", "vram_gb": 85.9},
        {"name": "NVIDIA GeForce RTX 4090", "vram_gb": 25.8},
    ]


def test_cpu_model_reads_proc_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nvendor_id\t: GenuineIntel\n"
                    "model name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\n")
    assert hardware.cpu_model(info) == "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz"
    assert hardware.cpu_model(tmp_path / "missing")  # falls back to platform's answer


@pytest.fixture
def fake_nvidia_smi(tmp_path, monkeypatch):
    exe = tmp_path / "nvidia-smi"
    exe.write_text("#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559'\necho 'NVIDIA H100 80GB HBM3, 81559'\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


def test_detect_hardware_uses_nvidia_smi(fake_nvidia_smi, monkeypatch):
    """GPUs from nvidia-smi; cores and RAM from psutil, fixed here so the numbers are known
    whatever machine runs the test."""
    import psutil

    monkeypatch.setattr(psutil, "cpu_count", lambda logical=True: 64 if logical else 32)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: type("vm", (), {"total": 96 * 2**30})())
    hw = hardware.detect_hardware()
    assert [g["name"] for g in hw.gpus] == ["NVIDIA H100 80GB HBM3"] * 2
    assert hw.gpus[0]["vram_gb"] == pytest.approx(81559 * 2**20 / 1e9, abs=0.1)
    assert (hw.cores, hw.ram_gb) == (32, round(96 * 2**30 / 1e9, 1))  # GB = 10^9 bytes


def test_detection_never_imports_torch():
    code = ("import sys, llmselect.hardware as h; h.detect_hardware(); "
            "import llmselect.cli.hardware; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_json_matches_detection():
    result = CliRunner().invoke(app, ["hardware", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert Hardware.model_validate(data) == hardware.detect_hardware()


def test_cli_table_lists_gpus(fake_nvidia_smi):
    result = CliRunner().invoke(app, ["hardware"])
    assert result.exit_code == 0, result.output
    assert "GPU 1" in result.stdout and "H100" in result.stdout


def test_local_target_gpu_uses_smallest_card():
    hw = Hardware(cpu="x", cores=8, ram_gb=64, gpus=[{"name": "A", "vram_gb": 24.0},
                                                    {"name": "B", "vram_gb": 16.0}])
    target = hardware.local_target(["bf16"], hw)
    # detected GB, stated in the vendor's GiB the profile schema takes (converted once, back)
    assert (target.kind, target.devices) == ("gpu", 2)
    assert target.memory_gb * 2**30 / 1e9 == pytest.approx(16.0)
    assert target.quantization == ["bf16"] and target.monthly_cost_usd == 0


def test_local_target_cpu_allows_gguf_formats():
    target = hardware.local_target(None, Hardware(cpu="EPYC", cores=2, ram_gb=23.5))
    assert target.kind == "cpu" and target.memory_gb * 2**30 / 1e9 == pytest.approx(23.5)
    assert target.quantization[0] == "fp16" and "Q4_K_M" in target.quantization
