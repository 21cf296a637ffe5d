"""PostgreSQL column types given as strings ("VARCHAR(255)"), parsed against an allow-list.

A type string never reaches SQL as written: it is parsed into an SQLAlchemy type, which
renders the DDL, and into the canonical spelling ``format_type()`` uses in the catalog, so an
existing column can be compared with the requested one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .errors import InvalidColumnTypeError

_SIMPLE: dict[str, tuple[str, Callable[[], Any]]] = {
    "smallint": ("smallint", pg.SMALLINT),
    "int2": ("smallint", pg.SMALLINT),
    "integer": ("integer", pg.INTEGER),
    "int": ("integer", pg.INTEGER),
    "int4": ("integer", pg.INTEGER),
    "bigint": ("bigint", pg.BIGINT),
    "int8": ("bigint", pg.BIGINT),
    "boolean": ("boolean", pg.BOOLEAN),
    "bool": ("boolean", pg.BOOLEAN),
    "text": ("text", pg.TEXT),
    "real": ("real", pg.REAL),
    "float4": ("real", pg.REAL),
    "double precision": ("double precision", pg.DOUBLE_PRECISION),
    "float8": ("double precision", pg.DOUBLE_PRECISION),
    "float": ("double precision", pg.DOUBLE_PRECISION),
    "date": ("date", pg.DATE),
    "uuid": ("uuid", pg.UUID),
    "json": ("json", pg.JSON),
    "jsonb": ("jsonb", pg.JSONB),
    "bytea": ("bytea", pg.BYTEA),
    "inet": ("inet", pg.INET),
    "cidr": ("cidr", pg.CIDR),
    "macaddr": ("macaddr", pg.MACADDR),
    "interval": ("interval", pg.INTERVAL),
    "timestamptz": ("timestamp with time zone", lambda: pg.TIMESTAMP(timezone=True)),
    "timetz": ("time with time zone", lambda: pg.TIME(timezone=True)),
}

_ACCEPTED = (
    "smallint, integer, bigint, boolean, text, real, double precision, date, uuid, json, jsonb, "
    "bytea, inet, cidr, macaddr, interval, varchar(n), char(n), numeric(p, s), "
    "timestamp[(p)] [with time zone], time[(p)] [with time zone], and arrays of these (type[])"
)

_NUM = r"\s*\(\s*(\d+)\s*\)"
_VARCHAR = re.compile(rf"(?:varchar|character varying)(?:{_NUM})?")
_CHAR = re.compile(rf"(?:char|character)(?:{_NUM})?")
_NUMERIC = re.compile(r"(?:numeric|decimal)(?:\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?")
_TEMPORAL = re.compile(rf"(timestamp|time)(?:{_NUM})?(?:\s+(with|without)\s+time\s+zone)?")
_FLOAT_P = re.compile(rf"float{_NUM}")


@dataclass(frozen=True)
class ColumnType:
    """A validated column type: what to create, and how the catalog will spell it.

    ``exact`` is False when ``canonical`` is a guess (an SQLAlchemy type outside the allow-list,
    spelled as it renders): a helper that adds such a column reads the catalog to check it.
    """

    sa_type: Any
    canonical: str
    exact: bool = True


def _base_type(text: str, original: str) -> ColumnType:
    if text in _SIMPLE:
        canonical, make = _SIMPLE[text]
        return ColumnType(make(), canonical)
    if m := _VARCHAR.fullmatch(text):
        length = _positive(m.group(1), original)
        name = f"character varying({length})" if length else "character varying"
        return ColumnType(pg.VARCHAR(length), name)
    if m := _CHAR.fullmatch(text):
        length = _positive(m.group(1), original) or 1
        return ColumnType(pg.CHAR(length), f"character({length})")
    if m := _NUMERIC.fullmatch(text):
        precision = _positive(m.group(1), original)
        scale = int(m.group(2)) if m.group(2) is not None else (0 if precision else None)
        if precision is None:
            return ColumnType(pg.NUMERIC(), "numeric")
        if scale is not None and scale > precision:
            raise InvalidColumnTypeError(f"The column type {original!r} has a scale larger than its precision.")
        return ColumnType(pg.NUMERIC(precision, scale), f"numeric({precision},{scale})")
    if m := _TEMPORAL.fullmatch(text):
        kind, precision_text, zone = m.groups()
        precision = int(precision_text) if precision_text is not None else None
        if precision is not None and precision > 6:
            raise InvalidColumnTypeError(f"The column type {original!r} has a precision above 6, PostgreSQL's maximum.")
        with_tz = zone == "with"
        maker = pg.TIMESTAMP if kind == "timestamp" else pg.TIME
        suffix = "with time zone" if with_tz else "without time zone"
        shown = f"{kind}({precision})" if precision is not None else kind
        return ColumnType(maker(timezone=with_tz, precision=precision), f"{shown} {suffix}")
    if m := _FLOAT_P.fullmatch(text):
        bits = _positive(m.group(1), original) or 53
        if bits <= 24:
            return ColumnType(pg.REAL(), "real")
        return ColumnType(pg.DOUBLE_PRECISION(), "double precision")
    raise InvalidColumnTypeError(
        f"The column type {original!r} is not one the helpers accept; use one of: {_ACCEPTED}, "
        "or pass an SQLAlchemy type."
    )


def _positive(text: str | None, original: str) -> int | None:
    if text is None:
        return None
    value = int(text)
    if value < 1:
        raise InvalidColumnTypeError(f"The column type {original!r} has a size below 1.")
    return value


def parse_column_type(type_: object) -> ColumnType:
    """Turn a PostgreSQL type string or an SQLAlchemy type into a validated ``ColumnType``."""
    if isinstance(type_, type) and issubclass(type_, sa.types.TypeEngine):
        type_ = type_()
    if isinstance(type_, sa.types.TypeEngine):
        rendered = type_.compile(dialect=pg.dialect())  # type: ignore[no-untyped-call]
        try:
            return ColumnType(type_, parse_column_type(rendered).canonical)
        except InvalidColumnTypeError:
            return ColumnType(type_, rendered.lower(), exact=False)
    if not isinstance(type_, str):
        raise InvalidColumnTypeError(f"The column type {type_!r} is neither a type string nor an SQLAlchemy type.")
    text = " ".join(type_.lower().split())
    dimensions = 0
    while text.endswith("[]"):
        text = text[:-2].rstrip()
        dimensions += 1
    base = _base_type(text, type_)
    if not dimensions:
        return base
    return ColumnType(pg.ARRAY(base.sa_type, dimensions=dimensions), base.canonical + "[]")
