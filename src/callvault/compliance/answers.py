"""How a customer answered a yes/no question: affirm, negative or ambiguous.

Ambiguous is never approval (the carrier bears the burden of proving oral
approval, 64.2007(a)(1)), so anything short of a plain yes is not a yes: a
hedge ("I guess"), a question back ("what would you look at?"), a yes mixed
with a no, or no answer at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from callvault.compliance import cues as c

AFFIRM, NEGATIVE, AMBIGUOUS = "affirm", "negative", "ambiguous"


@dataclass(frozen=True)
class Answer:
    kind: str  # affirm | negative | ambiguous
    cue: str  # what decided it, for the event's ``why``


def classify_answer(text: str) -> Answer:
    norm = c.normalise(text)
    # "no problem", "I don't mind" affirm; drop them before looking for a no.
    scrubbed = norm
    for cue in c.ANSWER_NOT_NEGATIVE:
        scrubbed = cue.pattern.sub(lambda m: " " * len(m.group()), scrubbed)
    strong = c.first(c.ANSWER_STRONG_NEGATIVE, scrubbed)
    if strong:
        return Answer(NEGATIVE, f"refusal:{strong[1].group().strip()}")
    question = "?" in text or c.first(c.QUESTION_BACK, norm)
    if question:
        return Answer(AMBIGUOUS, "question back")
    hedge = c.first(c.ANSWER_HEDGE, norm)
    if hedge:
        return Answer(AMBIGUOUS, f"hedge:{hedge[1].group().strip()}")
    negative = c.first(c.ANSWER_NEGATIVE, scrubbed)
    affirm = c.first(c.ANSWER_AFFIRM, norm)
    if negative and affirm:
        return Answer(AMBIGUOUS, "yes and no")
    if negative:
        return Answer(NEGATIVE, f"no:{negative[1].group().strip()}")
    if affirm:
        return Answer(AFFIRM, f"yes:{affirm[1].group().strip()}")
    return Answer(AMBIGUOUS, "no clear answer")
