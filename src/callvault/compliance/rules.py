"""Per-call rule checks R1-R15 and R17 (docs/CPNI.md section (c)).

Each rule is a small function over one call's events, findings, metadata and
injected facts, returning pass / fail / not_applicable with evidence (times
and redacted quotes) and the citation it rests on. ``run_rules`` then turns
the failures of rules the spec marks unverified into warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Callable, Iterable, Sequence

from callvault.clock import parse_iso
from callvault.compliance import cues as c
from callvault.compliance.context import RuleContext
from callvault.compliance.detect import CARRIER_ROLES
from callvault.compliance.options import ComplianceOptions
from callvault.compliance.pretexting import likely_pretexting
from callvault.compliance.quotes import redact_span
from callvault.models.compliance import ConsentEvent, Evidence, RuleResult
from callvault.models.entities import CALL_DETAIL, CPNI, SAD, category_of
from callvault.models.events import APPROVALS, EVIDENCE_RETAINED, GRANTS, MARKETING, REFUSALS, EventType as E
from callvault.models.findings import Finding
from callvault.models.recording import CallMetadata
from callvault.models.timespan import TimeSpan, merge_spans
from callvault.models.transcript import Transcript

# CPNI that can be pitched against (the account number is not a reason to sell).
MARKETING_PITCH_CPNI = CPNI - {"ACCOUNT_NUMBER"}
ONE_YEAR = timedelta(days=365)
COVER_TOLERANCE = 0.05  # seconds a silenced span may fall short of a word's edge


@dataclass(frozen=True)
class Call:
    """Everything a rule may read about one call."""

    transcript: Transcript
    events: tuple[ConsentEvent, ...]
    findings: tuple[Finding, ...]
    metadata: CallMetadata
    options: ComplianceOptions
    context: RuleContext
    text: str
    turn_spans: tuple[tuple[int, int], ...]

    def of(self, *types: str) -> list[ConsentEvent]:
        return [e for e in self.events if e.type in types]

    def carrier_findings(self, entities: Iterable[str] | None = None, category: str | None = None) -> list[Finding]:
        wanted = set(entities) if entities is not None else None
        return [
            f
            for f in self.findings
            if f.role in CARRIER_ROLES and (wanted is None or f.entity in wanted) and (category is None or category_of(f.entity) == category)
        ]

    def customer_said_first(self, finding: Finding) -> bool:
        """The customer stated this kind of detail before the agent did (unassisted, 64.2010(b))."""
        return any(f.role == "customer" and f.entity == finding.entity and f.char_start < finding.char_start for f in self.findings)

    def turn_of(self, char_start: int) -> int:
        return next((i for i, (s, e) in enumerate(self.turn_spans) if s <= char_start <= e), len(self.turn_spans) - 1)

    def turn_evidence(self, index: int, note: str) -> Evidence:
        turn = self.transcript.turns[index]
        s, e = self.turn_spans[index]
        return Evidence(round(turn.start, 3), round(turn.end, 3), f"{turn.role}: {redact_span(self.text, s, e, self.findings)}", note)

    def evidence(self, finding: Finding, note: str = "") -> Evidence:
        s, e = self.turn_spans[self.turn_of(finding.char_start)]
        quote = f"{finding.role}: {redact_span(self.text, s, e, self.findings)}"
        return Evidence(round(finding.start, 3), round(finding.end, 3), quote, note or finding.entity)


def _event_evidence(event: ConsentEvent, note: str = "") -> Evidence:
    return Evidence(event.start, event.end, event.quote, note or event.type)


def _first_time(events: Sequence[ConsentEvent], predicate: Callable[[ConsentEvent], bool] = lambda e: True) -> float | None:
    times = [e.start for e in events if predicate(e)]
    return min(times) if times else None


def _result(status: str, reason: str, evidence: Iterable[Evidence] = ()) -> RuleResult:
    return RuleResult(rule="", status=status, evidence=tuple(evidence), reason=reason)


def _na(reason: str) -> RuleResult:
    return _result("not_applicable", reason)


def _inbound_only(call: Call) -> RuleResult | None:
    if call.metadata.direction == "outbound":
        return _na("carrier-initiated (outbound) call; this rule covers customer-initiated calls")
    if call.metadata.direction != "inbound":
        return _na("call direction unknown; set direction in the call's sidecar metadata")
    return None


def _undisclosed_before_auth(call: Call, found: list[Finding], password_only: bool) -> tuple[list[Finding], float | None]:
    auth = _first_time(call.of(E.AUTH_SUCCESS), lambda e: not password_only or "via:password" in e.details)
    bad = [f for f in found if (auth is None or f.start < auth) and not call.customer_said_first(f)]
    return bad, auth


def r1_call_detail_before_auth(call: Call) -> RuleResult:
    skip = _inbound_only(call)
    if skip:
        return skip
    detail = call.carrier_findings(CALL_DETAIL)
    if not detail:
        return _result("pass", "the agent gave no call detail")
    bad, auth = _undisclosed_before_auth(call, detail, password_only=True)
    if bad:
        when = "before the caller gave a password" if auth is not None else "and the caller never authenticated with a password"
        return _result("fail", f"call detail read out {when}, not first stated by the customer", [call.evidence(f) for f in bad])
    return _result("pass", "call detail only after password authentication or as stated by the customer")


def r2_noncompliant_prompt(call: Call) -> RuleResult:
    bad = call.of(E.AUTH_CHALLENGE_NONCOMPLIANT)
    if bad:
        return _result("fail", "the password prompt asked for biographical or account information", [_event_evidence(e) for e in bad])
    if call.of(E.AUTH_CHALLENGE):
        return _result("pass", "authentication prompts asked for a password only")
    return _na("no authentication prompt in the call")


def r3_cpni_without_auth(call: Call) -> RuleResult:
    # 64.2010(a) binds every call: on an outbound call the carrier still has to know who answered.
    cpni = call.carrier_findings(category="CPNI")
    if not cpni:
        return _result("pass", "the agent disclosed no CPNI")
    bad, _ = _undisclosed_before_auth(call, cpni, password_only=False)
    if bad:
        return _result("fail", "CPNI disclosed before the caller was authenticated", [call.evidence(f) for f in bad])
    return _result("pass", "CPNI disclosed only after authentication or as stated by the customer")


def r4_detail_after_failed_auth(call: Call) -> RuleResult:
    fails = call.of(E.AUTH_FAIL)
    if not fails:
        return _na("no failed authentication")
    failed_at = min(e.start for e in fails)
    success = _first_time(call.of(E.AUTH_SUCCESS), lambda e: e.start > failed_at and "via:password" in e.details)
    bad = [
        f
        for f in call.carrier_findings(CALL_DETAIL)
        if f.start > failed_at and (success is None or f.start < success) and not call.customer_said_first(f)
    ]
    offers = call.of(E.ALT_DELIVERY_OFFER)
    if bad:
        note = "an alternative delivery was also offered" if offers else "no alternative delivery was offered"
        return _result("fail", f"call detail read out after failed authentication ({note})", [_event_evidence(fails[0]), *(call.evidence(f) for f in bad)])
    if offers:
        return _result("pass", "after failed authentication the agent offered delivery to the address or number of record", [_event_evidence(offers[0])])
    return _result("pass", "no call detail after failed authentication")


def r5_callback_number(call: Call) -> RuleResult:
    facts = call.context.callback
    if facts is None:
        return _na("no callback facts for this call (is it a callback, and to the number of record?)")
    if not facts.is_callback:
        return _na("not a callback")
    detail = call.carrier_findings(CALL_DETAIL)
    if facts.to_number_of_record or not detail:
        return _result("pass", "callback to the number of record" if facts.to_number_of_record else "no call detail on the callback")
    return _result("fail", "call detail given on a callback to a number other than the number of record", [call.evidence(f) for f in detail])


def _pitches(call: Call) -> list[Finding]:
    """Agent findings of CPNI that sit in a turn that markets something."""
    used = []
    for f in call.carrier_findings(MARKETING_PITCH_CPNI):
        s, e = call.turn_spans[call.turn_of(f.char_start)]
        if c.any_of(c.MARKETING_PITCH, c.normalise(call.text[s:e])):
            used.append(f)
    return used


def r6_marketing_without_approval(call: Call) -> RuleResult:
    pitches = _pitches(call)
    if not pitches:
        return _na("no marketing that used CPNI")
    decisions = call.of(*GRANTS, *REFUSALS)
    bad, ok = [], []
    for f in pitches:
        before = [e for e in decisions if e.start <= f.start]
        last = max(before, key=lambda e: e.start) if before else None
        if last is None:
            bad.append(call.evidence(f, "CPNI used in marketing with no approval"))
        elif last.type in REFUSALS:
            bad.append(call.evidence(f, f"CPNI used in marketing after {last.type}"))
        else:
            ok.append(_event_evidence(last))
    if bad:
        return _result("fail", "CPNI used in marketing without approval, or after the customer said no or gave no clear yes", bad)
    return _result("pass", "CPNI used in marketing only after the customer approved", ok[:1])


def r7_notice_elements(call: Call) -> RuleResult:
    requests = [e for e in call.of(*APPROVALS) if "scope:cpni" in e.details]
    if not requests:
        return _na("no request to use CPNI")
    required = ["N1", "N2", "N3", "N4", "N5"] + (["N6"] if call.context.cpni_shared_with_third_party else [])
    bad, ok = [], []
    for request in requests:
        asked_at = min(request.turn_indexes)
        notices = [n for n in call.of(E.CPNI_NOTICE) if max(n.turn_indexes) <= asked_at]
        said = {"N5"} | {d for n in notices for d in n.details}  # the request itself is the explicit question
        missing = [n for n in required if n not in said]
        if not notices:
            bad.append(_event_evidence(request, "approval solicited before any CPNI notice"))
        elif missing:
            bad.append(_event_evidence(notices[-1], "notice lacks " + ", ".join(missing)))
        else:
            ok.append(_event_evidence(notices[-1], "notice elements " + ", ".join(sorted(said))))
    if bad:
        return _result("fail", "one-time CPNI notice incomplete or missing before the approval request", bad)
    return _result("pass", "every CPNI approval request followed a complete one-time notice", ok)


def r8_ambiguous_as_approval(call: Call) -> RuleResult:
    asked = call.of(*APPROVALS, E.MARKETING_OPT_IN, E.MARKETING_OPT_OUT)
    if not asked:
        return _na("no approval question in the call")
    ambiguous = call.of(E.APPROVAL_AMBIGUOUS)
    bad = []
    for event in ambiguous:
        answer_turn = max(event.turn_indexes)
        later = [e for e in call.of(*GRANTS, E.APPROVAL_DENIED, E.MARKETING_OPT_OUT) if min(e.turn_indexes) > answer_turn]
        settled = min((min(e.turn_indexes) for e in later), default=len(call.transcript.turns))
        reply = next((t for t in range(answer_turn + 1, len(call.transcript.turns)) if call.transcript.turns[t].role in CARRIER_ROLES), None)
        if reply is not None and reply < settled:
            s, e = call.turn_spans[reply]
            if c.any_of(c.PROCEEDS, c.normalise(call.text[s:e])):
                bad.append(_event_evidence(event, "ambiguous answer"))
                bad.append(call.turn_evidence(reply, "the agent went ahead as if approved"))
                continue
        used = [f for f in _pitches(call) if answer_turn < call.turn_of(f.char_start) < settled]
        if used:
            bad.append(_event_evidence(event, "CPNI used before a clear yes"))
            bad.extend(call.evidence(f) for f in used)
    if bad:
        return _result("fail", "an ambiguous answer was treated as approval; ambiguous is never approval", bad)
    return _result("pass", "no ambiguous answer was treated as approval" if ambiguous else "every approval answer was clear")


def r9_outbound_supervisor(call: Call) -> RuleResult:
    if call.metadata.direction != "outbound":
        return _na("not an outbound call" if call.metadata.direction else "call direction unknown")
    requests = [e for e in call.events if e.type in (*APPROVALS, *MARKETING) and len(e.turn_indexes) > 1]
    if not requests:
        return _na("no approval request in this outbound call")
    if call.context.supervisor_approval is None:
        return _na("no supervisor-approval records supplied for this call")
    if call.context.supervisor_approval:
        return _result("pass", "a supervisor approved this outbound approval request", [_event_evidence(requests[0])])
    return _result("fail", "outbound approval request without a supervisor-approval record", [_event_evidence(e) for e in requests])


def r10_change_notice(call: Call) -> RuleResult:
    changes = call.of(E.ACCOUNT_CHANGE)
    if not changes:
        return _na("no account change in the call")
    if call.context.change_notice_sent:
        return _result("pass", "the system sent the change notice", [_event_evidence(changes[0])])
    notices = call.of(E.CHANGE_NOTICE)
    bad = [e for e in changes if not any(max(n.turn_indexes) >= min(e.turn_indexes) for n in notices)]
    if bad:
        return _result("fail", "account change with no notice to the number or address of record", [_event_evidence(e) for e in bad])
    return _result("pass", "the agent said a change notice goes to the number or address of record", [_event_evidence(notices[0])])


def r11_early_deletion(call: Call) -> RuleResult:
    kept = call.of(*EVIDENCE_RETAINED)
    if not kept:
        return _na("no approval or notice evidence in the call")
    facts = call.context.retention
    if facts is None:
        return _na("no retention facts for this call")
    if not facts.evidence_deleted_at:
        return _result("pass", "approval and notice evidence not deleted")
    started, deleted = parse_iso(call.metadata.started_at), parse_iso(facts.evidence_deleted_at)
    if started is None or deleted is None:
        return _na("call start or deletion time unknown or not ISO 8601")
    if (deleted.tzinfo is None) != (started.tzinfo is None):
        started, deleted = started.replace(tzinfo=None), deleted.replace(tzinfo=None)
    if deleted - started < ONE_YEAR:
        return _result("fail", f"approval/notice evidence deleted {(deleted - started).days} days after the call (keep ≥ 1 year)", [_event_evidence(e) for e in kept])
    return _result("pass", "evidence kept at least one year")


def _all_party(call: Call) -> tuple[bool, str]:
    states = {s.upper() for s in (*call.metadata.customer_states, *call.options.agent_states)}
    strict = sorted(states & set(call.options.all_party_states))
    if strict:
        return True, f"all-party state(s) {', '.join(strict)}"
    if not call.metadata.customer_states and call.options.assume_all_party_when_unknown:
        return True, "customer state unknown, strictest rule assumed"
    return call.options.require_disclosure_everywhere, "policy requires a disclosure on every call"


def r12_disclosure(call: Call) -> RuleResult:
    strict, why = _all_party(call)
    if not strict:
        return _na("every party is in a one-party-consent state (18 U.S.C. 2511(2)(d))")
    disclosures = call.of(E.REC_DISCLOSURE)
    if not disclosures:
        return _result("fail", f"no recording disclosure ({why})")
    first = min(disclosures, key=lambda e: e.start)
    deadline = call.options.disclosure_deadline_s
    if first.start > deadline:
        return _result("fail", f"first recording disclosure at {first.start:.1f} s, after the {deadline:g} s threshold ({why})", [_event_evidence(first)])
    earlier = [
        t
        for t in call.transcript.turns
        if t.role == "customer" and t.start < first.start and len(t.words) > call.options.substantive_words
    ]
    # Substantive: the customer's own data, or any CPNI or card data (not the agent's name).
    said = [f for f in call.findings if f.start < first.start and (f.role == "customer" or category_of(f.entity) in ("CPNI", "PCI"))]
    if earlier or said:
        evidence = [call.evidence(f, "said before the disclosure") for f in said[:3]]
        return _result("fail", f"recording disclosed only after substantive speech ({why})", [_event_evidence(first), *evidence])
    return _result("pass", f"disclosed at {first.start:.1f} s, before substantive speech ({why})", [_event_evidence(first)])


def r13_objection(call: Call) -> RuleResult:
    objections = call.of(E.RECORDING_OBJECTION)
    if not objections:
        return _na("the customer did not object to the recording")
    strict, why = _all_party(call)
    if not strict:
        return _na("every party is in a one-party-consent state; an objection does not end consent")
    first = min(objections, key=lambda e: e.start)
    stopped = _recording_stopped(call, max(first.turn_indexes))
    if stopped is not None:
        return _result("pass", "the agent stopped the recording after the objection", [_event_evidence(first), call.turn_evidence(stopped, "recording stopped")])
    grace = call.options.objection_grace_s
    after = [w for w in call.transcript.words if w.start > first.end + grace]
    if after:
        return _result("fail", f"recording continued {after[-1].end - first.end:.0f} s after the customer objected ({why})", [_event_evidence(first)])
    return _result("pass", f"recording ended within {grace:g} s of the objection", [_event_evidence(first)])


def _recording_stopped(call: Call, after_turn: int, within: int = 3) -> int | None:
    """The carrier turn, a few turns after ``after_turn``, that says the recording was stopped or paused."""
    for index in range(after_turn + 1, min(len(call.transcript.turns), after_turn + 1 + within)):
        turn = call.transcript.turns[index]
        if turn.role in CARRIER_ROLES and c.any_of(c.RECORDING_STOPPED, c.normalise(turn.text)):
            return index
    return None


def _uncovered(span: TimeSpan, covered: list[TimeSpan]) -> bool:
    return not any(c.start - COVER_TOLERANCE <= span.start and span.end <= c.end + COVER_TOLERANCE for c in covered)


def _text_uncovered(f: Finding, spans: Sequence[tuple[int, int]]) -> bool:
    return not any(s <= f.char_start and f.char_end <= e for s, e in spans)


def r14_sad_stored(call: Call) -> RuleResult:
    sad = [f for f in call.findings if f.entity in SAD]
    if not sad:
        return _result("pass", "no CVV or card PIN spoken")
    facts = call.context.redaction
    if facts is None or (facts.audio_spans is None and facts.text_spans is None):
        return _na("CVV/PIN spoken, but no facts on what the stored audio and transcript removed")
    audio = merge_spans(facts.audio_spans or (), gap=COVER_TOLERANCE)
    bad = []
    for f in sad:
        if facts.audio_spans is not None and _uncovered(TimeSpan(f.start, max(f.start, f.end)), audio):
            bad.append(call.evidence(f, f"{f.entity} audible in stored audio"))
        if facts.text_spans is not None and _text_uncovered(f, facts.text_spans):
            bad.append(call.evidence(f, f"{f.entity} readable in stored transcript"))
    if bad:
        return _result("fail", "sensitive authentication data kept after authorization", bad)
    return _result("pass", "every CVV/PIN span removed from what is stored")


def r15_pan_unmasked(call: Call) -> RuleResult:
    pans = [f for f in call.findings if f.entity == "PAN"]
    if not pans:
        return _result("pass", "no card number spoken")
    facts = call.context.redaction
    if facts is None or facts.text_spans is None:
        return _na("card number spoken, but no facts on what the stored transcript masked")
    bad = [call.evidence(f, "PAN readable in stored transcript") for f in pans if _text_uncovered(f, facts.text_spans)]
    if bad:
        return _result("fail", "card number left unmasked in the stored transcript", bad)
    return _result("pass", "every card number masked in the stored transcript")


def r17_deletion_during_hold(call: Call) -> RuleResult:
    facts = call.context.retention
    if facts is None:
        return _na("no legal-hold facts for this call")
    if facts.on_legal_hold and facts.deletion_attempts:
        return _result("fail", f"{len(facts.deletion_attempts)} deletion attempt(s) while on legal hold", [Evidence(0.0, 0.0, "", f"deletion attempted at {t}") for t in facts.deletion_attempts])
    return _result("pass", "no deletion attempted during a legal hold")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    citation: str
    check: Callable[[Call], RuleResult]


RULES = (
    Rule("R1", "Call detail before password authentication on an inbound call", "47 CFR 64.2010(b)", r1_call_detail_before_auth),
    Rule("R2", "Password prompt used biographical or account information", "47 CFR 64.2010(b); 64.2003(a)", r2_noncompliant_prompt),
    Rule("R3", "CPNI disclosed with no authentication", "47 CFR 64.2010(a)", r3_cpni_without_auth),
    Rule("R4", "Call detail read out after failed authentication", "47 CFR 64.2010(b)", r4_detail_after_failed_auth),
    Rule("R5", "Call detail on a callback to a number other than the number of record", "47 CFR 64.2010(b)", r5_callback_number),
    Rule("R6", "CPNI used in marketing without approval or after a denial", "47 CFR 64.2007(b); 64.2009(a); 47 U.S.C. 222(d)(3)", r6_marketing_without_approval),
    Rule("R7", "One-time CPNI notice missing elements, or approval solicited before notice", "47 CFR 64.2008(a),(c),(f)", r7_notice_elements),
    Rule("R8", "Ambiguous answer treated as approval", "47 CFR 64.2007(a)(1)", r8_ambiguous_as_approval),
    Rule("R9", "Outbound approval request with no supervisor-approval record", "47 CFR 64.2009(d)", r9_outbound_supervisor),
    Rule("R10", "Account change with no change notice", "47 CFR 64.2010(f)", r10_change_notice),
    Rule("R11", "Approval or notice evidence deleted before one year", "47 CFR 64.2007(a)(3); 64.2008(a)(2)", r11_early_deletion),
    Rule("R12", "Recording disclosure missing, late, or after substantive speech", "Cal. Penal Code 632; Wash. Rev. Code 9.73.030; other all-party statutes (CPNI.md §5)", r12_disclosure),
    Rule("R13", "Customer objected but recording continued", "Cal. Penal Code 632; Wash. Rev. Code 9.73.030", r13_objection),
    Rule("R14", "CVV or PIN in stored audio or transcript", "PCI DSS v4.0 3.3.1", r14_sad_stored),
    Rule("R15", "Card number unmasked in the transcript", "PCI DSS v4.0 3.4.1, 3.5.1", r15_pan_unmasked),
    Rule("R16", "Likely pretexting: disclosure without authentication to a caller who may not be the holder", "47 CFR 64.2011; 64.2010(a),(b)",
         lambda call: likely_pretexting(call, r1_call_detail_before_auth(call), r3_cpni_without_auth(call))),
    Rule("R17", "Deletion attempted during a legal hold", "FRCP 37(e)", r17_deletion_during_hold),
)
RULE_IDS = tuple(r.id for r in RULES)
CPNI_RULES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11")  # 47 U.S.C. 222 and Part 64


def run_rules(
    transcript: Transcript,
    events: Sequence[ConsentEvent],
    findings: Sequence[Finding] = (),
    metadata: CallMetadata | None = None,
    options: ComplianceOptions | None = None,
    context: RuleContext | None = None,
) -> list[RuleResult]:
    """Every rule's result for one call, in rule order; [U] rules warn instead of failing."""
    options = options or ComplianceOptions()
    call = Call(
        transcript=transcript,
        events=tuple(sorted(events, key=lambda e: e.start)),
        findings=tuple(sorted(findings, key=lambda f: f.char_start)),
        metadata=metadata or CallMetadata(),
        options=options,
        context=context or RuleContext(),
        text=transcript.text,
        turn_spans=tuple(transcript.turn_offsets()),
    )
    results = []
    not_carrier = call.context.carrier is not None and not call.context.carrier.carrier
    for rule in RULES:
        if not_carrier and rule.id in CPNI_RULES:
            reason = f"not a telecom carrier's call ({call.context.carrier.reason}); CPNI rules apply to carrier calls only"
            results.append(RuleResult(rule.id, "not_applicable", rule.title, rule.citation, reason=reason))
            continue
        result = replace(rule.check(call), rule=rule.id, title=rule.title, citation=rule.citation)
        if result.status == "fail" and rule.id in options.warn_rules:
            result = replace(result, status="warn", reason=result.reason + " (rule marked unverified [U]: warning, not failure)")
        results.append(result)
    return results


def verdict(results: Sequence[RuleResult]) -> str:
    """compliant, violations (any failure) or needs_review (warnings only, or nothing checked)."""
    statuses = {r.status for r in results}
    if "fail" in statuses:
        return "violations"
    if "warn" in statuses or not results:
        return "needs_review"
    return "compliant"
