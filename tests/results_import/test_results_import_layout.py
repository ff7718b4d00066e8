"""``results import`` input checks that need no lm-eval run: other layouts, missing files,
the hardware lm-eval records (torch's collect_env text)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.results_import.lmeval_files import hardware

# lm-eval 0.3 wrote results, versions and config only (no configs, n-samples, n-shot).
OLD_LAYOUT = {"results": {"hellaswag": {"acc": 0.5, "acc_stderr": 0.01}},
              "versions": {"hellaswag": 0},
              "config": {"model": "hf-causal", "model_args": "pretrained=gpt2", "num_fewshot": 0}}


def _one_line(result, *needles):
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    for n in needles:
        assert n in line, line


def test_other_version_layout_is_refused(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(OLD_LAYOUT))
    _one_line(CliRunner().invoke(app, ["results", "import", str(path)]),
              "another layout", "'configs', 'n-samples'", "lm-eval >= 0.4")
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").glob("*.json"))


def test_not_results_and_missing(tmp_path):
    samples = tmp_path / "samples_x.jsonl"
    samples.write_text('{"doc_id": 0}\n')
    _one_line(CliRunner().invoke(app, ["results", "import", str(samples)]),
              "not an lm-eval results file", "give that one")
    _one_line(CliRunner().invoke(app, ["results", "import", str(tmp_path / "nope.json")]),
              "no such file")
    _one_line(CliRunner().invoke(app, ["results", "import", str(tmp_path)]),
              "no lm-eval results_*.json")


def test_hardware_from_collect_env_text():
    text = ("OS: Ubuntu 22.04.4 LTS (x86_64)\nGPU models and configuration: \n"
            "GPU 0: NVIDIA H100 80GB HBM3\nGPU 1: NVIDIA H100 80GB HBM3\n\nCPU:\n"
            "Architecture: x86_64\nSocket(s): 2\nCore(s) per socket: 48\n"
            "Model name: AMD EPYC 9454 48-Core Processor\n")
    assert hardware(text) == {"cpu": "AMD EPYC 9454 48-Core Processor",
                              "gpus": [{"name": "NVIDIA H100 80GB HBM3"}] * 2,
                              "platform": "Ubuntu 22.04.4 LTS (x86_64)", "cores": 96}
    assert hardware("GPU models and configuration: Could not collect") == {}
    assert hardware(None) == {}
