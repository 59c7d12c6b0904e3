"""The command line in the user's language: help, argparse's errors and ours, did-you-mean.

The language of help and errors is ``--lang`` if given, else Chinese when the locale is
(``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with ``zh``), else English. Tables keep
their own default (Chinese) whatever the locale.

Every error stays one line on stderr with exit status 2: argparse's usage block is left
out and replaced by a pointer to ``--help``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
from collections.abc import Mapping, Sequence
from typing import NoReturn

from ..views.i18n import LANGS, label

__all__ = ["ui_lang", "parser_class", "LocalParser", "near", "argparse_message",
           "translated_error", "error_prefix"]

PROG = "fazhi-sim"


def ui_lang(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of help and errors: ``--lang``, else the locale's (zh or en)."""
    args = list(argv)
    for i, arg in enumerate(args):
        value = (arg.split("=", 1)[1] if arg.startswith("--lang=")
                 else args[i + 1] if arg == "--lang" and i + 1 < len(args) else None)
        if value in LANGS:
            return value
    env = os.environ if environ is None else environ
    # POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG.
    locale = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    return "zh" if locale.lower().startswith("zh") else "en"


def near(word: str, choices: Sequence[str]) -> str | None:
    """The choice closest to ``word`` (difflib), if one is close."""
    if len(word) > 64:
        return None
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def error_prefix(ui: str) -> str:
    """``fazhi-sim: error: `` in ``ui``."""
    return f"{PROG}: {label('ap_error', ui)}: "


class LocalParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in :attr:`ui`; one error line, exit 2."""

    ui = "en"
    seen: list[str] = []
    commands: dict[str, argparse.ArgumentParser] = {}

    def add_subparsers(self, **kwargs):  # noqa: D102 - as argparse's
        action = super().add_subparsers(**kwargs)
        self.commands = action.choices  # to suggest a subcommand's options
        return action

    def parse_known_args(self, args=None, namespace=None):  # noqa: D102 - as argparse's
        self.seen = list(args) if args is not None else []
        return super().parse_known_args(args, namespace)

    def _command(self) -> argparse.ArgumentParser:
        # Unknown options surface at the top parser: suggest from the subcommand given.
        command = next((a for a in self.seen if a in self.commands), None)
        return self.commands[command] if command else self

    def format_usage(self) -> str:  # noqa: D102 - as argparse's
        return self._localised(super().format_usage())

    def format_help(self) -> str:  # noqa: D102 - as argparse's
        return self._localised(super().format_help())

    def _localised(self, text: str) -> str:
        if self.ui == "en":
            return text
        text = re.sub(r"^usage: ", label("ap_usage", self.ui), text)
        for key in ("positionals", "options"):
            english = label(f"ap_{key}", "en")
            text = text.replace(f"\n{english}:\n", f"\n{label(f'ap_{key}', self.ui)}:\n")
        for key in ("help", "version"):
            text = text.replace(label(f"ap_{key}", "en"), label(f"ap_{key}", self.ui))
        return text

    def error(self, message: str) -> NoReturn:
        """Exit with status 2 and one line: the problem, a suggestion, where help is."""
        command = self._command()
        options = sorted(set(re.findall(r"--[\w-]+", command.format_usage())))
        text = argparse_message(message, self.ui, options)
        see = label("ap_see_help", self.ui).format(prog=command.prog)
        self.exit(2, f"{error_prefix(self.ui)}{text} ({see})\n")


def parser_class(ui: str) -> type[LocalParser]:
    """A :class:`LocalParser` subclass speaking ``ui``, for the parser and its subcommands."""
    return type("LocalParser_" + ui, (LocalParser,), {"ui": ui})


_ARGPARSE = [
    (re.compile(r"the following arguments are required: (?P<what>.*)"), "ap_required"),
    (re.compile(r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)"),
     "ap_invalid_choice"),
    (re.compile(r"unrecognized arguments: (?P<what>.*)"), "ap_unrecognized"),
    (re.compile(r"expected one argument"), "ap_expected_one"),
    (re.compile(r"expected at least one argument"), "ap_expected_some"),
    (re.compile(r"not allowed with argument (?P<other>.*)"), "ap_not_allowed_with"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)"),
     "ap_ambiguous"),
]


def argparse_message(message: str, ui: str, options: Sequence[str] = ()) -> str:
    """The argparse error ``message`` in ``ui``, with "did you mean" where a name is close."""
    head, body = "", message
    found = re.match(r"argument (?P<arg>\S+): (?P<rest>.*)", message)
    if found:
        head = f"{label('ap_argument', ui)} {found['arg']}: "
        body = found["rest"]
    for pattern, key in _ARGPARSE:
        match = pattern.fullmatch(body)
        if match:
            return head + label(key, ui).format(**match.groupdict()) + _hint(key, match,
                                                                               ui, options)
    return message


def _hint(key: str, match: re.Match[str], ui: str, options: Sequence[str]) -> str:
    if key == "ap_invalid_choice":
        choices = re.findall(r"'([^']*)'", match["choices"])
        guess = near(match["value"].strip("'\""), choices)
    elif key == "ap_unrecognized":
        flags = [w.split("=")[0] for w in match["what"].split() if w.startswith("--")]
        guess = near(flags[0], options) if flags else None
    else:
        guess = None
    return "; " + label("ap_did_you_mean", ui).format(near=guess) if guess else ""


# Our own errors (engine and cli) are English; the common ones are translated here.
_OURS = [
    (re.compile(r"(?P<v>.+) is out of range; allowed (?P<lo>\S+) to (?P<hi>\S+) \((?P<unit>.+?)\)"
                r"(?:; did you mean (?P<x>\S+)\? write 1 for 100%)?"), "err_out_of_range"),
    (re.compile(r"unknown (?P<what>lever|field|region)(?: (?P<name>.+?))?; "
                r"(?:did you mean (?P<x>\S+)\? )?allowed: (?P<allowed>.*)"), "err_unknown"),
    (re.compile(r"no such file; give the path of a \.toml scenario"), "err_no_file"),
    (re.compile(r"malformed TOML: (?P<detail>.*)"), "err_toml"),
    (re.compile(r"(?P<v>\S+) is impossible; allowed (?P<range>.+)"), "err_impossible"),
    (re.compile(r"(?P<ext>\S+( extension)?) is not a table format; allowed: (?P<allowed>.+?) "
                r"\(\.xlsx: an Excel workbook\)"), "err_table_ext"),
    (re.compile(r"(?P<v>.+) is not allowed; give a whole number(?:,| from) (?P<range>.+)"),
     "err_whole"),
    (re.compile(r"(?P<v>.+) is too large; give a whole number from (?P<range>.+)"),
     "err_too_large"),
]


def translated_error(text: str, ui: str) -> str:
    """One error line ``<where>: <field>: <message>`` with the message in ``ui`` if known."""
    if ui == "en":
        return text
    for pattern, key in _OURS:
        match = pattern.search(text)
        if match:
            parts = {k: (v or "") for k, v in match.groupdict().items()}
            if parts.get("x"):  # a suggestion: the value meant, or the name meant
                parts["x"] = (label("err_pct_hint", ui).format(x=parts["x"])
                              if key == "err_out_of_range"
                              else label("ap_did_you_mean", ui).format(near=parts["x"]) + " ")
            if "unit" in parts:
                parts["unit"] = label(f"err_unit_{parts['unit']}", ui) \
                    if parts["unit"] == "share" else parts["unit"]
            if "what" in parts:
                parts["what"] = label(f"err_what_{parts['what']}", ui)
                parts["name"] = f" {parts['name']}" if parts["name"] else ""
            text = text[:match.start()] + label(key, ui).format(**parts) + text[match.end():]
            break
    for pattern, key in _PHRASES:
        text = pattern.sub(lambda m, key=key: label(key, ui).format(**m.groupdict()), text)
    return text


_PHRASES = [  # parts of the allowed values, wherever they occur
    (re.compile(r"\(or a county's Chinese name, e\.g\. 诸暨\)"), "err_or_chinese"),
    (re.compile(r"one of the (?P<n>\d+) ids of fazhi_sim\.LEVERS \(docs/model\.md\), e\.g\."),
     "err_lever_ids"),
    (re.compile(r"(?<=[0-9]) to (?=[0-9])"), "err_to"),
    (re.compile(r"(?P<n>[0-9]+) or more"), "err_or_more"),
    (re.compile(r"without units \(122\.92万 is 1229200\)"), "err_no_units"),
    (re.compile(r"\(at least one a town: (?P<n>[0-9]+)\)"), "err_one_a_town"),
]
