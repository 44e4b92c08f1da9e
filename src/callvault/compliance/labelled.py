"""Labelled dialogues as compliance cases: the one loader (callvault.labelled) plus rule inputs.

A case is a LabelledDialogue with its gold spans as Findings (what the rules
read when scored with gold entities) and its ``context`` table as a RuleContext.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from callvault.compliance.facts import context_from_dict
from callvault.compliance.context import RuleContext
from callvault.labelled import GoldEvent, LabelledDialogue, gold_findings
from callvault.labelled import dialogue_from_dict as _dialogue_from_dict
from callvault.labelled import load_dialogue as _load_dialogue
from callvault.labelled import load_dialogues as _load_dialogues
from callvault.models.findings import Finding
from callvault.models.recording import CallMetadata
from callvault.models.transcript import Transcript

__all__ = ["ComplianceCase", "GoldEvent", "dialogue_from_dict", "load_dialogue", "load_dialogues"]


@dataclass(frozen=True)
class ComplianceCase:
    dialogue: LabelledDialogue
    findings: tuple[Finding, ...]  # the gold spans
    context: RuleContext

    @property
    def name(self) -> str:
        return self.dialogue.id

    @property
    def transcript(self) -> Transcript:
        return self.dialogue.transcript

    @property
    def metadata(self) -> CallMetadata:
        return self.dialogue.metadata

    @property
    def events(self) -> tuple[GoldEvent, ...]:
        return self.dialogue.events

    @property
    def rules(self) -> Mapping[str, str]:
        return self.dialogue.rules

    @property
    def carrier(self) -> bool | None:
        return self.dialogue.carrier

    @property
    def description(self) -> str:
        return self.dialogue.description


def case_of(dialogue: LabelledDialogue) -> ComplianceCase:
    findings = gold_findings(dialogue)
    return ComplianceCase(dialogue, findings, context_from_dict(dialogue.context, findings))


def dialogue_from_dict(doc: Mapping[str, Any], name: str = "dialogue") -> ComplianceCase:
    return case_of(_dialogue_from_dict(doc, name))


def load_dialogue(path: str | Path) -> ComplianceCase:
    return case_of(_load_dialogue(path))


def load_dialogues(folder: str | Path) -> list[ComplianceCase]:
    return [case_of(d) for d in _load_dialogues(folder)]
