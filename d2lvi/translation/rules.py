"""The checker's rules table and its findings: codes, severities and why each matters.

Each finding is ``path:line:col: CODE message`` with 1-based positions; the messages are in
Vietnamese, for contributors. Severities: an *error* fails ``make lint`` (exit 1), a *warning*
does not, an *info* (an untranslated block: progress, not a fault) does not either. A rule may
be stricter under ``--strict`` (CI): its ``strict`` severity replaces its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from d2lvi.translation.glossary import Entry


@dataclass(frozen=True)
class Rule:
    """A checker code: readable name, severity and why it matters (for CONTRIBUTING)."""

    code: str
    name: str
    severity: str  # "error", "warning" or "info"
    why: str
    strict: str = ""  # the severity under --strict (CI), when it differs


RULES = {r.code: r for r in (
    Rule("TR001", "untranslated-block", "error",
         "đoạn tiếng Anh chưa có bản dịch ngay sau nó"),
    # A section imported whole is readable untranslated (its English shows, marked "Chưa
    # dịch") and `make status` counts it: a placeholder is progress left, not a fault.
    Rule("TR002", "placeholder", "info", "còn chỗ giữ chỗ *dịch ... phía trên* (chưa dịch)"),
    Rule("TR003", "unreadable-file", "error", "tệp không phải văn bản UTF-8"),
    Rule("TR004", "not-executed-reason", "error",
         "ô mã có tag skip-execution nhưng thiếu lý do :not-executed:"),
    Rule("TR101", "english-changed", "error",
         "bản gốc tiếng Anh trong chú thích khác bản gốc đã ghim (i18n/upstream)"),
    Rule("TR102", "english-missing", "error", "thiếu một đoạn tiếng Anh của bản gốc"),
    Rule("TR103", "english-extra", "error", "có đoạn tiếng Anh không có trong bản gốc"),
    Rule("TR111", "code-changed", "error", "ô mã khác ô mã của bản gốc"),
    Rule("TR112", "code-missing", "error", "thiếu một ô mã của bản gốc"),
    Rule("TR113", "code-extra", "error", "có ô mã không có trong bản gốc"),
    Rule("TR201", "unclosed-comment", "error", "chú thích <!-- chưa được đóng bằng -->"),
    Rule("TR202", "unclosed-fence", "error", "khối mã ``` hoặc ::: chưa được đóng"),
    Rule("TR203", "heading-level", "error", "cấp tiêu đề bản dịch khác bản gốc"),
    Rule("TR204", "math-missing", "error", "bản dịch có ít công thức $…$ hơn bản gốc"),
    Rule("TR205", "inline-code-mismatch", "error", "tập mã nội dòng `…` khác bản gốc"),
    Rule("TR206", "label-missing", "error", "nhãn (label) của bản gốc không được định nghĩa"),
    Rule("TR207", "reference-missing", "error", "thiếu tham chiếu {numref} của bản gốc"),
    Rule("TR208", "citation-missing", "error", "thiếu trích dẫn {cite:p} của bản gốc"),
    Rule("TR302", "avoided-term", "error", "dùng một cách dịch sai đã biết (avoid)"),
    # A warning while translating (a reviewer may accept a rewording), an error in CI: the
    # accepted rewordings are declared in the glossary, so a clean CI has none left.
    Rule("TR303", "glossary-term", "warning",
         "thuật ngữ của bản gốc không có cách dịch của bảng thuật ngữ trong bản dịch",
         strict="error"),
    Rule("TR304", "glossary-exception-unused", "warning",
         "một ngoại lệ của bảng thuật ngữ không còn khớp đoạn nào", strict="error"),
    Rule("TR401", "unsafe-html", "error", "HTML nguy hiểm: <script>, <iframe>, on…=, javascript:"),
    Rule("TR501", "spelling", "warning", "từ không có trong từ điển hunspell-vi"),
)}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at a 1-based line and column."""

    line: int
    col: int
    code: str
    message: str

    def __post_init__(self) -> None:
        """One line, always: text quoted from a block can hold line breaks (a role or code
        span that lost its closing backtick runs on to the next one, lines later)."""
        if "\n" in self.message or "\r" in self.message:
            object.__setattr__(self, "message", " ".join(self.message.split()))

    @property
    def severity(self) -> str:
        """"error", "warning" or "info", from the rule."""
        return RULES[self.code].severity

    def level(self, strict: bool = False) -> str:
        """The severity, under ``--strict`` (CI) or not."""
        rule = RULES[self.code]
        return (rule.strict or rule.severity) if strict else rule.severity

    def format(self, path: str, strict: bool = False) -> str:
        """``path:line:col: CODE message``, like ruff."""
        prefix = PREFIXES[self.level(strict)]
        return f"{path}:{self.line}:{self.col}: {self.code} {prefix}{self.message}"


PREFIXES = {"error": "", "warning": "cảnh báo: ", "info": "lưu ý: "}


SpellFunction = Callable[[Iterable[str]], set[str]]


@dataclass(frozen=True)
class Context:
    """What a chapter is checked against; every part is optional."""

    upstream: str | None = None
    path: str = ""  # the section's path, for the glossary's per-file exceptions
    glossary: Sequence[Entry] = ()
    wordlist: frozenset[str] = frozenset()
    spell: SpellFunction | None = None
    ignore: frozenset[str] = field(default_factory=frozenset)
