"""Rules on inbound mail: ordered, case-insensitive conditions, merged actions, and an explanation.

Evaluation is pure: :func:`evaluate` takes the facts of a mail and the rules, and returns what to do
and why (stored on the ticket's events, shown by the dry-run endpoint). Later rules override single
values set by earlier ones (queue, status, …); tags and flags accumulate; ``stop`` ends the run.
Regexes are compiled once per process and matched against bounded input (no catastrophic input size).
A pattern that cannot backtrack much (no unbounded repetition, no back-references, few ways to try a
match: see :func:`is_safe_pattern`) runs without a budget, so a busy machine cannot make a trivial
rule miss. Any other pattern gets a CPU-time budget per match (the ``regex`` package; Python's ``re``
cannot stop a search): one that backtracks catastrophically is undecided, counts as "no match" and
the outcome carries a warning, so one bad rule can neither stall ingest nor silently fire.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .config import Condition, Rule
from .dataclass import dataclass
from .reasons import Reason, reason

if TYPE_CHECKING:
    import sre_parse as _sre_parse

    import regex

    from .mail import ParsedMail
else:
    from re import _parser as _sre_parse  # the same module as sre_parse, without its deprecation warning

MAX_MATCH_CHARS = 20_000
# CPU time a match of a pattern that is not safe may take. regex's own timeout counts wall-clock time,
# so a match that timed out while this thread got less than REGEX_CPU_SHARE of the CPU (a busy
# machine) is tried again with more wall time, up to REGEX_WALL_LIMIT_SECONDS in all.
REGEX_BUDGET_SECONDS = 0.05
REGEX_CPU_SHARE = 0.8
REGEX_WALL_LIMIT_SECONDS = 0.5
# A pattern is safe when one match attempt can go at most this many ways. Measured with the regex
# package on 20 000 characters crafted so that every way matches as far as it can (``(a|a)(a|a)…``):
# 2-3 ms per way, so a safe pattern's search stays under about 50 ms whatever the mail says (words
# that differ, as in ``(dringend|urgent|asap)``, are ruled out at their first letter: far less).
SAFE_PATTERN_WAYS = 16


@dataclass(frozen=True)
class MailView:
    """The fields a rule can look at (all lower-cased at construction by :func:`mail_view`)."""

    sender: str
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    recipients: tuple[str, ...]
    subject: str
    body: str
    mailbox: str
    attachment_names: tuple[str, ...]
    verdicts: dict[str, str]
    headers: dict[str, str]

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2]


def mail_view(
    *,
    sender: str,
    sender_name: str,
    to: list[str],
    cc: list[str],
    recipients: list[str],
    subject: str,
    body: str,
    mailbox: str,
    attachment_names: list[str],
    verdicts: dict[str, str | None],
    headers: dict[str, str],
) -> MailView:
    return MailView(
        sender=sender.lower(),
        sender_name=sender_name.lower(),
        to=tuple(a.lower() for a in to),
        cc=tuple(a.lower() for a in cc),
        recipients=tuple(a.lower() for a in recipients),
        subject=subject.lower(),
        body=body[:MAX_MATCH_CHARS].lower(),
        mailbox=mailbox.lower(),
        attachment_names=tuple(n.lower() for n in attachment_names),
        verdicts={k: (v or "").lower() for k, v in verdicts.items()},
        headers={k.lower(): v.lower() for k, v in headers.items()},
    )


def view_of(mail: ParsedMail, mailbox_address: str) -> MailView:
    """What rules see of a parsed mail that arrived at ``mailbox_address``."""
    return mail_view(
        sender=mail.sender,
        sender_name=mail.sender_name,
        to=[a.address for a in mail.to],
        cc=[a.address for a in mail.cc],
        recipients=mail.recipients,
        subject=mail.subject,
        body=mail.text,
        mailbox=mailbox_address,
        attachment_names=[a.filename for a in mail.attachments],
        verdicts=mail.verdicts.as_dict(),
        headers=mail.headers,
    )


@dataclass
class Outcome:
    queue: str | None = None
    status: str | None = None
    priority: str | None = None
    assignee: str | None = None
    project: str | None = None
    type: str | None = None
    tags: list[str] = field(default_factory=list)
    spam: bool = False
    private: bool = False
    personal: bool = False
    prio: bool = False
    suppress_autoreply: bool = False
    fired: list[dict[str, Any]] = field(default_factory=list)  # [{"rule": id, "name": …, "because": […]}]
    warnings: list[str] = field(default_factory=list)  # conditions that could not be decided
    # the same decisions as codes (the dry run's ``reasons``, said in German or English by the client, in the
    # trigger dry run's format): rules.fired, then each condition that held (rules.condition)
    said: list[Reason] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        said = "; ".join(f"{f['name']} ({', '.join(f['because'])})" for f in self.fired) or "no rule matched"
        return "; ".join([said, *self.warnings])


class RegexTimeout(Exception):
    """A rule's regex used up its budget (:data:`REGEX_BUDGET_SECONDS` of CPU time) undecided."""


def _ways(items: Any) -> int:
    """An upper bound on the ways one match attempt of a parsed (sub)pattern can go, capped just above
    :data:`SAFE_PATTERN_WAYS` (unbounded repetition and back-references count as too many)."""
    cap = SAFE_PATTERN_WAYS + 1
    total = 1
    for op, av in items:
        name = op.name
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "AT", "CATEGORY"):
            ways = 1
        elif name == "IN":
            # Python's parser turns ``a|b|c`` (also what is left of ``xa|xb|xc`` after taking out the
            # common prefix) into the set ``[abc]``; the regex engine may try each: one way per member.
            negated = any(member_op.name == "NEGATE" for member_op, _ in av)
            ways = 1 if negated else max(len(av), 1)
        elif name == "BRANCH":
            ways = sum(_ways(branch) for branch in av[1])
        elif name == "SUBPATTERN":
            ways = _ways(av[3])
        elif name == "ATOMIC_GROUP":
            ways = _ways(av)
        elif name in ("ASSERT", "ASSERT_NOT"):
            ways = _ways(av[1])
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, inner = av
            if high == _sre_parse.MAXREPEAT or high - low >= cap:
                return cap
            each = _ways(inner)
            if each > 1 and high >= cap.bit_length():
                return cap  # at least 2**high ways
            ways = sum(each**k for k in range(low, high + 1)) if each > 1 else high - low + 1
        else:  # back-references, conditionals, anything unknown
            return cap
        total = min(total * ways, cap)
    return total


@lru_cache(maxsize=512)
def is_safe_pattern(pattern: str) -> bool:
    """Whether ``pattern`` can run without a budget: every match attempt can go only a few ways
    (:func:`_ways`), so a search is linear in the (bounded) input. Decided on Python's parse of the
    pattern; syntax only the ``regex`` package knows counts as not safe."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "possible nested set" (a POSIX class in regex)
            parsed = _sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return _ways(parsed) <= SAFE_PATTERN_WAYS


@lru_cache(maxsize=512)
def _regex(pattern: str) -> regex.Pattern[str]:
    import regex  # only mailboxes with regex rules pay for the import (cold start)

    return regex.compile(pattern, regex.IGNORECASE)


def _search(pattern: str, value: str) -> bool:
    compiled = _regex(pattern)
    if is_safe_pattern(pattern):
        return compiled.search(value[:MAX_MATCH_CHARS]) is not None
    return budgeted_search(compiled, value[:MAX_MATCH_CHARS])


def budgeted_search(compiled: Any, value: str) -> bool:
    """``compiled.search(value)`` within :data:`REGEX_BUDGET_SECONDS` of this thread's CPU time; raises
    :class:`RegexTimeout` when the budget is used up (or the wall limit reached) undecided."""
    deadline = time.monotonic() + REGEX_WALL_LIMIT_SECONDS
    timeout = REGEX_BUDGET_SECONDS
    while True:
        cpu_before = time.thread_time()
        try:
            return compiled.search(value, timeout=timeout) is not None
        except TimeoutError as exc:
            cpu = time.thread_time() - cpu_before
            left = deadline - time.monotonic()
            if cpu >= REGEX_BUDGET_SECONDS * REGEX_CPU_SHARE or left <= 0:
                raise RegexTimeout(compiled.pattern) from exc
            timeout = min(2 * timeout, left)  # starved of CPU, not slow: try again with more wall time


def _values(view: MailView, cond: Condition) -> tuple[str, ...]:
    match cond.field:
        case "from":
            return (view.sender,)
        case "from_name":
            return (view.sender_name,)
        case "from_domain":
            return (view.sender_domain,)
        case "to":
            return view.to
        case "cc":
            return view.cc
        case "recipient":
            return tuple(dict.fromkeys(view.recipients + view.to + view.cc))
        case "subject":
            return (view.subject,)
        case "body":
            return (view.body,)
        case "mailbox":
            return (view.mailbox,)
        case "attachment_name":
            return view.attachment_names
        case "has_attachment":
            return ("true" if view.attachment_names else "false",)
        case "spam_verdict":
            return (view.verdicts.get("spam", ""),)
        case "virus_verdict":
            return (view.verdicts.get("virus", ""),)
        case "spf" | "dkim" | "dmarc":
            return (view.verdicts.get(cond.field, ""),)
        case "header":
            return (view.headers.get((cond.header or "").lower(), ""),)
    return ()


def condition_matches(view: MailView, cond: Condition) -> bool:
    """Whether ``cond`` holds for the mail; raises :class:`RegexTimeout` when that cannot be decided."""
    needle = cond.value.lower()
    values = _values(view, cond)
    if cond.op == "exists":
        # has_attachment always has a value ("true"/"false"); "exists" means: there is an attachment.
        return values == ("true",) if cond.field == "has_attachment" else any(values)
    if cond.op == "not_contains":
        return not any(needle in v for v in values)
    for value in values:
        if cond.op == "equals" and value == needle:
            return True
        if cond.op == "contains" and needle in value:
            return True
        if cond.op == "starts_with" and value.startswith(needle):
            return True
        if cond.op == "ends_with" and value.endswith(needle):
            return True
        if cond.op == "regex" and _search(cond.value, value):
            return True
    return False


def _describe(cond: Condition) -> str:
    name = f"header {cond.header}" if cond.field == "header" else cond.field
    # Quoted as the admin typed it (no Python escaping: a regex's backslashes stay single).
    return f"{name} {cond.op.replace('_', ' ')} '{cond.value}'" if cond.op != "exists" else f"{name} exists"


def _decided(view: MailView, cond: Condition, rule: Rule, out: Outcome) -> bool:
    try:
        return condition_matches(view, cond)
    except RegexTimeout:
        out.warnings.append(reason("rules.timeout", rule=rule.name, condition=_describe(cond)))
        return False


def evaluate(view: MailView, rules: list[Rule]) -> Outcome:
    """Apply ``rules`` (already ordered) to the mail; returns the merged actions and which rules fired."""
    out = Outcome()
    for rule in rules:
        if not rule.enabled:
            continue
        results = [(cond, _decided(view, cond, rule, out)) for cond in rule.conditions]
        hit = all(ok for _, ok in results) if rule.match == "all" else any(ok for _, ok in results)
        if not hit:
            continue
        act = rule.actions
        out.queue = act.queue or out.queue
        out.status = act.status.value if act.status else out.status
        out.priority = act.priority.value if act.priority else out.priority
        out.assignee = act.assignee or out.assignee
        out.project = act.project or out.project
        out.type = act.type or out.type
        out.tags.extend(t for t in act.tags if t not in out.tags)
        out.spam = out.spam or act.spam
        out.private = out.private or act.private
        out.personal = out.personal or act.personal
        out.prio = out.prio or act.prio
        out.suppress_autoreply = out.suppress_autoreply or act.suppress_autoreply or act.spam
        out.said.append(reason("rules.fired", rule=rule.name))
        out.said.extend(
            reason(
                "rules.condition",
                rule=rule.name,
                condition=_describe(c),
                field=c.field,
                op=c.op,
                value=c.value if c.op != "exists" else "",
                header=c.header or "",
            )
            for c, ok in results
            if ok
        )
        out.fired.append(
            {
                "rule": rule.id,
                "name": rule.name,
                "because": [_describe(c) for c, ok in results if ok],
                "actions": act.model_dump(mode="json", exclude_defaults=True),
            }
        )
        if act.stop:
            break
    if out.spam:
        out.status = "trash"
    return out
