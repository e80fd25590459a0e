"""The runbook format as pydantic models.

Every field carries a description: the JSON Schema (and through it hover and completion)
is generated from these models. Unknown fields are errors.

An artifact's rules across its own fields are model validators, so that a runbook built
in Python is refused as the original wct refuses it (a `ValidationError`): exactly one
production method (WCT004) and a child runbook's `output` or `output_mapping` (WCT045).
The analysis reports the same rules itself, as diagnostics with their codes and the
ranges of the keys at fault; it validates with `ANALYSED` as the validation context,
which leaves these validators out, so that one problem is one precise diagnostic and
not also a vaguer one on the whole artifact. The planner does the same with
definitions the analysis has passed. Rules that need another artifact or another file
(references, cycles, schemas, child mappings) are the analysis's alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

SCHEMA_REF_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*(/[0-9]+\.[0-9]+\.[0-9]+)?$"
ARTIFACT_ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"

# `model_validate(data, context=ANALYSED)`: the artifact's rules across fields are checked
# (and reported with positions) by the analysis, not by the model.
ANALYSED: Final[Mapping[str, bool]] = MappingProxyType({"rules_checked_by_analysis": True})


def _checked_by_analysis(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, Mapping) and context.get("rules_checked_by_analysis") is True


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunbookConfig(_Model):
    """Execution settings for the whole runbook."""

    timeout: int | None = Field(
        default=None,
        gt=0,
        description="Wall-clock limit for a run, in seconds. No limit when omitted.",
    )
    cost_limit: float | None = Field(
        default=None,
        ge=0,
        description="Upper bound on the cost a run may incur (for components that charge).",
    )
    max_concurrency: int = Field(
        default=4,
        gt=0,
        le=256,
        description="How many artifacts may be produced at the same time.",
    )
    workers: int | None = Field(
        default=None,
        gt=0,
        le=1024,
        description=(
            "Worker processes for CPU-bound work such as pattern matching (`wct run "
            "--workers N` overrides it). Every core when omitted."
        ),
    )
    max_child_depth: int = Field(
        default=3,
        gt=0,
        le=32,
        description="How deeply child runbooks may nest (a child of a child is depth 2).",
    )
    template_paths: list[str] = Field(
        default_factory=list,
        description=(
            "Directories searched for child runbooks after the runbook's own directory, "
            "relative to the runbook's directory."
        ),
    )


class RunbookInput(_Model):
    """An input a child runbook expects from its parent (through `input_mapping`)."""

    input_schema: str = Field(
        pattern=SCHEMA_REF_PATTERN,
        description="Message schema the input must have, as `name/version`.",
    )
    optional: bool = Field(default=False, description="The parent may leave this input unmapped.")
    default: Any = Field(
        default=None, description="Value used when an optional input is not mapped."
    )
    sensitive: bool = Field(
        default=False,
        description="Never show this input's data in logs, events, stored results or output.",
    )
    description: str | None = Field(default=None, description="What the input is for.")

    @model_validator(mode="after")
    def _default_needs_optional(self) -> RunbookInput:
        if "default" in self.model_fields_set and not self.optional:
            raise ValueError("`default` is only allowed together with `optional: true`")
        return self


class RunbookOutput(_Model):
    """An artifact a child runbook offers to its parent."""

    artifact: str = Field(description="Id of the artifact (in this runbook) that is offered.")
    description: str | None = Field(default=None, description="What the output contains.")


class SourceConfig(_Model):
    """Extract data with a connector."""

    type: str = Field(description="Connector type, e.g. `filesystem` or `sqlite`.")
    properties: dict[str, Any] = Field(
        default_factory=dict, description="Connector settings; see the connector's schema."
    )


class ProcessConfig(_Model):
    """Derive data from the artifact's `inputs` with a processor."""

    type: str = Field(description="Processor type, e.g. `personal_data`.")
    properties: dict[str, Any] = Field(
        default_factory=dict, description="Processor settings; see the processor's schema."
    )


class ReuseConfig(_Model):
    """Copy an artifact's stored output from an earlier run."""

    from_run: str = Field(description="Id of the earlier run (see `wct runs`).")
    artifact: str = Field(description="Id of the artifact in that run.")


class ChildRunbookConfig(_Model):
    """Produce this artifact by running another runbook, fed from this one's artifacts."""

    path: str = Field(
        description=(
            "Child runbook file, relative to this runbook's directory or one of "
            "`config.template_paths`. No absolute paths, no `..`."
        )
    )
    input_mapping: dict[str, str] = Field(
        default_factory=dict,
        description="Child input name → artifact of this runbook that feeds it.",
    )
    output: str | None = Field(
        default=None,
        description="The child output this artifact becomes. Give `output` or `output_mapping`.",
    )
    output_mapping: dict[str, str] | None = Field(
        default=None,
        description=(
            "Child output name → name under which it is available in this runbook. "
            "Give `output` or `output_mapping`."
        ),
    )

    @model_validator(mode="after")
    def _one_output_choice(self, info: ValidationInfo) -> ChildRunbookConfig:
        if _checked_by_analysis(info):
            return self  # WCT045, on the key at fault
        if self.output is not None and self.output_mapping is not None:
            raise ValueError(
                "give either `output` (this artifact becomes that child output) or "
                "`output_mapping` (child outputs under new names), not both"
            )
        if self.output is None and self.output_mapping is None:
            raise ValueError(
                "`child_runbook` needs `output` (the child output this artifact becomes) "
                "or `output_mapping`"
            )
        return self


class ArtifactDefinition(_Model):
    """One artifact: how it is produced and what it is."""

    name: str | None = Field(default=None, description="Human-readable name.")
    description: str | None = Field(default=None, description="What the artifact contains.")
    contact: str | None = Field(default=None, description="Who to ask about this artifact.")
    source: SourceConfig | None = Field(
        default=None, description="Extract the data with a connector."
    )
    inputs: str | list[str] | None = Field(
        default=None,
        description="Artifact id(s) this artifact is derived from.",
    )
    process: ProcessConfig | None = Field(
        default=None, description="Processor applied to the inputs."
    )
    reuse: ReuseConfig | None = Field(
        default=None, description="Copy the output of an artifact from an earlier run."
    )
    child_runbook: ChildRunbookConfig | None = Field(
        default=None, description="Produce the artifact by running a child runbook."
    )
    merge: Literal["concatenate"] | None = Field(
        default=None,
        description="How the messages of several inputs are combined (`concatenate`).",
    )
    output_schema: str | None = Field(
        default=None,
        pattern=SCHEMA_REF_PATTERN,
        description="Schema of the artifact's output as `name/version` (required with `reuse`).",
    )
    output: bool = Field(
        default=False, description="The artifact is a result of the runbook (kept, reported)."
    )
    optional: bool = Field(
        default=False,
        description="A failure is a warning, not a run failure (dependents are still skipped).",
    )

    @model_validator(mode="after")
    def _one_production_method(self, info: ValidationInfo) -> ArtifactDefinition:
        if _checked_by_analysis(info):
            return self  # WCT004, on the keys at fault
        problem = _production_problem(self)
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def input_ids(self) -> list[str]:
        if self.inputs is None:
            return []
        return [self.inputs] if isinstance(self.inputs, str) else list(self.inputs)


def _production_problem(artifact: ArtifactDefinition) -> str | None:
    """What is wrong with how the artifact is produced (the rules of WCT004), or None.

    Exactly one of `source`, `inputs` and `reuse`; `child_runbook` goes with `inputs` alone
    (no `process`, `source` or `reuse`); `process` and `merge` need `inputs`; `inputs` names at
    least one artifact."""
    present = [
        name for name in ("source", "inputs", "reuse") if getattr(artifact, name) is not None
    ]
    if len(present) > 1:
        names = " and ".join(f"`{name}`" for name in present)
        return f"the artifact has {names}: give exactly one of `source`, `inputs` or `reuse`"
    if not present:
        hint = " (`child_runbook` also needs `inputs`)" if artifact.child_runbook else ""
        return f"an artifact needs exactly one of `source`, `inputs` or `reuse`{hint}"
    problems: list[str] = []
    if artifact.inputs is not None and not any(artifact.input_ids):
        problems.append("`inputs` is empty: name the artifact(s) it is derived from")
    if artifact.child_runbook is not None:
        problems.extend(
            f"`child_runbook` produces the artifact: remove `{clash}`"
            for clash in ("process", "source", "reuse")
            if getattr(artifact, clash) is not None
        )
    else:
        if artifact.process is not None and artifact.inputs is None:
            problems.append("`process` works on `inputs`: the artifact has none")
        if artifact.merge is not None and artifact.inputs is None:
            problems.append("`merge` combines `inputs`: the artifact has none")
    return "; ".join(problems) or None


class RunbookHeader(_Model):
    """Everything in a runbook but its artifacts (validated apart, artifact by artifact)."""

    name: str = Field(description="Name of the runbook.")
    description: str = Field(description="What the runbook does.")
    contact: str | None = Field(default=None, description="Who owns the runbook.")
    framework: str | None = Field(
        default=None, description="Compliance framework the runbook serves, e.g. `GDPR`."
    )
    config: RunbookConfig = Field(default_factory=RunbookConfig, description="Execution settings.")
    inputs: dict[str, RunbookInput] = Field(
        default_factory=dict,
        description="Inputs this runbook expects when used as a child runbook.",
    )
    outputs: dict[str, RunbookOutput] = Field(
        default_factory=dict,
        description="Artifacts this runbook offers to a parent when used as a child runbook.",
    )


class Runbook(RunbookHeader):
    """A whole runbook."""

    artifacts: dict[str, ArtifactDefinition] = Field(
        description="The artifacts, by id. Ids are letters, digits, `_` and `-`."
    )
