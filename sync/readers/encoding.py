"""The text of a delimited file's bytes: which encoding, sniffed or given.

UTF-8 (with or without BOM), UTF-16/32 with a BOM, UTF-16 without a BOM when
NUL bytes sit in every other byte, else cp1252 (with a note). ``--encoding``
overrides the guess. Stray NUL bytes are removed with a note; bytes that are
binary rather than text are refused.
"""

from __future__ import annotations

import codecs
import re

from sync.errors import InputError
from sync.readers.sniff import WHAT_TO_DO

_SNIFF_CHARS = 65536  # characters checked for control bytes
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes, source: str, encoding: str | None, notes: list[str]) -> tuple[str, str]:
    """Decode CSV bytes; return (text, encoding used)."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(
                f"{source}: unknown encoding {encoding!r} given with --encoding; use a name "
                "such as utf-8, cp1252, latin-1 or utf-16"
            ) from None
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        hint = (
            f"the file is not {encoding}; pass its real encoding with --encoding "
            "(e.g. --encoding cp1252 for a Windows Excel CSV), or leave --encoding out "
            "to let the reader guess"
        )
        text, used = _strict_decode(data, encoding, source, hint), encoding
    elif (bom := _bom_encoding(data)) is not None:
        codec, size = bom
        hint = (
            f"the file starts with a {codec.upper()} byte-order mark but is not valid "
            f"{codec.upper()} (damaged?); export it again, or pass its real encoding "
            "with --encoding"
        )
        text = _strict_decode(data[size:], codec, source, hint)
        used = "utf-8-sig" if codec == "utf-8" else codec
    elif (guess := _utf16_without_bom(data)) is not None:
        hint = "it looks like UTF-16 without a BOM; pass its real encoding with --encoding"
        text, used = _strict_decode(data, guess, source, hint), guess
        notes.append(f"decoded as {guess.upper()} (NUL bytes in every other byte, no BOM)")
    else:
        if b"\x00" in data:
            count = data.count(b"\x00")
            data = data.replace(b"\x00", b"")
            notes.append(f"removed {count} NUL byte{'s' if count > 1 else ''} (\\x00)")
        try:
            text, used = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if _looks_binary(data.decode("latin-1")):
                raise _binary_error(source) from None
            hint = (
                "the file is neither UTF-8 nor cp1252; pass its encoding with --encoding "
                "(e.g. --encoding cp1250 or --encoding latin-1)"
            )
            text, used = _strict_decode(data, "cp1252", source, hint), "cp1252"
            notes.append("decoded as cp1252 (not valid UTF-8)")
    if "\x00" in text:
        count = text.count("\x00")
        text = text.replace("\x00", "")
        notes.append(f"removed {count} NUL character{'s' if count > 1 else ''} (\\x00)")
    text = text.removeprefix("\ufeff").rstrip("\x1a")  # BOM; DOS end-of-file mark
    if _looks_binary(text):
        raise _binary_error(source)
    return text, used


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when the bytes start with a byte-order mark."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with FF FE too
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return codec, len(bom)
    return None


def _strict_decode(data: bytes, encoding: str, source: str, hint: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"{source}: cannot decode byte 0x{bad} on line {line} as {encoding}: {hint}"
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 0.6 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.6 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_CHARS]
    return len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 100)


def _binary_error(source: str) -> InputError:
    return InputError(
        f"{source}: this is not a CSV or spreadsheet file (it holds binary data); {WHAT_TO_DO}"
    )


__all__ = ["decode"]
