"""The `sqlite` connector: rows of SQLite tables, as `standard_input/1.0.0`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import Connector
from waivern_orchestration.message_schemas import STANDARD_INPUT


class SqliteProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database_path: str = Field(
        description="SQLite database file, relative to the runbook's directory."
    )
    tables: list[str] | None = Field(
        default=None, description="Tables to read; every table when omitted."
    )
    max_rows_per_table: int = Field(
        default=1000, gt=0, description="Read at most this many rows of each table."
    )


class SqliteConnector(Connector):
    name = "sqlite"
    description = "Reads rows of tables in a SQLite database, one item per row."
    Properties = SqliteProperties
    output_schemas = (STANDARD_INPUT,)
