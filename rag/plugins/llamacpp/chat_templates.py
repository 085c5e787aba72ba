"""Chat templates: how a list of chat turns becomes the one prompt string a model reads.

A GGUF file usually carries its model's own template (Jinja, ``tokenizer.chat_template``),
which is used as it is, in a sandbox. A file without one gets the built-in template of its
architecture's family, and the answer's notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass

GEMMA = """{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
  {%- set prefix = messages[0]['content'] + '\n\n' -%}{%- set turns = messages[1:] -%}
{%- else -%}
  {%- set prefix = '' -%}{%- set turns = messages -%}
{%- endif -%}
{%- for message in turns -%}
<start_of_turn>{{ 'model' if message['role'] == 'assistant' else 'user' }}
{{ (prefix if loop.first else '') ~ message['content'] | trim }}<end_of_turn>
{% endfor -%}
{%- if add_generation_prompt %}<start_of_turn>model
{% endif -%}"""

CHATML = """{%- for message in messages -%}
<|im_start|>{{ message['role'] }}
{{ message['content'] | trim }}<|im_end|>
{% endfor -%}
{%- if add_generation_prompt %}<|im_start|>assistant
{% endif -%}"""

BUILTIN = {"gemma": GEMMA, "chatml": CHATML}


@dataclass(frozen=True)
class ChatTemplate:
    """A Jinja chat template and where it came from."""

    source: str
    origin: str
    """'the model file', or 'built-in <family>' when the file has none."""

    def render(self, messages: list[dict[str, str]], bos_token: str = "", eos_token: str = "") -> str:
        """The prompt for ``messages`` (dicts with ``role`` and ``content``), ending where the
        assistant's reply begins."""
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(message: str) -> None:
            raise ValueError(f"the chat template refused the messages: {message}")

        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        environment.globals["raise_exception"] = raise_exception
        return environment.from_string(self.source).render(
            messages=messages, add_generation_prompt=True, bos_token=bos_token, eos_token=eos_token
        )


def template_for(metadata: dict[str, object]) -> ChatTemplate:
    """The model's own template from GGUF ``metadata``, else its family's built-in one."""
    own = metadata.get("tokenizer.chat_template")
    if isinstance(own, str) and own.strip():
        return ChatTemplate(own, "the model file")
    family = "gemma" if str(metadata.get("general.architecture", "")).startswith("gemma") else "chatml"
    return ChatTemplate(BUILTIN[family], f"built-in {family}")
