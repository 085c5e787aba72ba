"""Corpus text as a reader should see it: LaTeX macros and inline math made readable
(``\\chinchilla`` → Chinchilla, ``4$\\times$`` → 4×, ``$2$`` → 2, ``$O(n \\sqrt{n})$`` → O(n √n),
``Fr\\'echet`` → Fréchet).

The stored abstract is never changed (citations index it by character offsets); this is
applied to the text shown in answers, source cards and prompts. Unbalanced ``$`` and
unknown commands inside math are left as written rather than guessed at.
"""

from __future__ import annotations

import re
import unicodedata

SYMBOLS = {
    "times": "×", "cdot": "·", "pm": "±", "approx": "≈", "sim": "~", "leq": "≤", "le": "≤", "geq": "≥",
    "ge": "≥", "neq": "≠", "ne": "≠", "infty": "∞", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "leftrightarrow": "↔", "Rightarrow": "⇒", "in": "∈", "sum": "∑", "prod": "∏", "partial": "∂",
    "nabla": "∇", "ell": "ℓ", "log": "log", "exp": "exp", "min": "min", "max": "max", "%": "%",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω", "ldots": "…", "dots": "…", "cdots": "…", ",": " ", ";": " ", "!": "",
    "quad": " ", "qquad": " ",
}
_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_MATH = re.compile(r"\$(?=\S)([^$]{0,200}?)(?<=\S)\$(?!\d)")  # not "$5 and $6": no space inside the $s
_COMMAND = re.compile(r"\\([A-Za-z]+|[%,;!])\s?")
_WRAPPERS = re.compile(r"\\(?:mathrm|mathbf|mathit|text|textrm|textbf|operatorname|bf|rm|it)\s*\{([^{}]*)\}")
_BRACED_STYLE = re.compile(r"\{\\(?:bf|rm|it|em)\s+([^{}]*)\}")
_SQRT = re.compile(r"\\sqrt\s*\{([^{}]*)\}")
_SCRIPT = re.compile(r"([\^_])(\{([^{}]*)\}|(-?\w))")
_BARE_MACRO = re.compile(r"\\([A-Za-z]+)\b")
_ACCENT = re.compile(r"\{?\\(['`\"^~])\{?([A-Za-z])\}?\}?")  # Fr\'echet, {\"o}, \'{e}
_COMBINING = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303"}


def _accented(match: re.Match) -> str:
    return unicodedata.normalize("NFC", match.group(2) + _COMBINING[match.group(1)])


def _script(match: re.Match) -> str:
    """``^{-2}`` → ⁻², ``_{2}`` → ₂; what has no such character stays marked (``_{KL}`` → _(KL))."""
    mark, body = match.group(1), match.group(3) if match.group(3) is not None else match.group(4)
    table, known = (_SUPERSCRIPT, "0123456789+-=()n") if mark == "^" else (_SUBSCRIPT, "0123456789+-=()")
    if body and all(ch in known for ch in body):
        return body.translate(table)
    return f"{mark}{body}" if len(body) == 1 else f"{mark}({body})"


def _math(body: str) -> str:
    """Inline math as plain text; as written when it holds a command we do not know."""
    text = _BRACED_STYLE.sub(r"{\1}", _WRAPPERS.sub(r"{\1}", body))  # braces end a command before them
    text = _SQRT.sub(lambda m: "√" + m.group(1), text)
    text = _SCRIPT.sub(_script, text)
    unknown = False

    def command(match: re.Match) -> str:
        nonlocal unknown
        name = match.group(1)
        if name in SYMBOLS:
            return SYMBOLS[name] + (" " if match.group(0).endswith(" ") and SYMBOLS[name].isalpha() else "")
        unknown = True
        return match.group(0)

    text = _COMMAND.sub(command, text).replace("{", "").replace("}", "")
    return f"${body}$" if unknown else re.sub(r"\s+", " ", text).strip()


def _macro(match: re.Match) -> str:
    """A bare macro outside math: a symbol, a counting macro, or a name (``\\gopher`` → Gopher)."""
    name = match.group(1)
    if name in SYMBOLS and not SYMBOLS[name].isalpha():
        return SYMBOLS[name]
    if name.startswith("num") and len(name) > 3:
        return "a number of"  # \nummodels: the count is defined outside the abstract
    return name[0].upper() + name[1:]


def display_text(text: str) -> str:
    """``text`` with LaTeX made readable (see the module docstring)."""
    if "$" not in text and "\\" not in text:
        return text
    text = _ACCENT.sub(_accented, text)
    pieces, cursor = [], 0
    for match in _MATH.finditer(text):
        pieces += [_BARE_MACRO.sub(_macro, text[cursor:match.start()]), _math(match.group(1))]
        cursor = match.end()
    pieces.append(_BARE_MACRO.sub(_macro, text[cursor:]))
    return "".join(pieces)
