"""A card payment read out over several turns: which digits are the card, the expiry, the code.

Card data is rarely said in one sentence. The agent asks ("card number, the
expiration and the code on the back?"), the caller reads the number in
chunks with the agent's "okay" or read-back between, then answers the rest
in the order asked ("oh nine twenty seven and six one five three"). This
module reads the call once, line by line, and assigns number values to
slots:

- the card number: the digits the answering party says after a card prompt,
  joined over turns until another slot is named, cut at a Luhn-valid window
  of 13-19 digits (or kept whole when no window passes, since ASR drops
  digits); read-backs and corrections of its chunks, and "ending in" four
  digits in a card sentence, are the card too;
- expiry and security code: a value named inline ("expires 0329", "CVV
  281", "the back is 518") takes that slot; otherwise values answer the
  slots the other party asked for, in the order asked, when their shape
  fits (an expiry reads as month + year, a code has 3 or 4 digits).

The result is shared by the PAN, CVV and expiry recognizers (computed once
per text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from callvault.redact.context import Context, Phrases
from callvault.redact.expressions import expiry_digits_ok
from callvault.redact.spoken import BACKCHANNEL, JOINERS, NumberGroup, luhn_ok

PAN_CUES = Phrases((
    "card number", "card", "credit card", "debit card", "card's", "visa", "mastercard", "master card", "amex",
    "american express", "discover", "long number", "number on the card", "numbers on the card", "the number on the front",
))
EXPIRY_CUES = Phrases((
    "expiration", "expiration date", "expiry", "expiry date", "expires", "expire", "expiring", "expired", "exp",
    "exp date", "valid thru", "valid through", "good thru", "good through", "month and year",
))
CODE_CUES = Phrases((
    "security code", "cvv", "cvv2", "cvc", "cvc2", "cid", "csc", "card verification", "verification code",
    "verification value", "code on the back", "code on the front", "the back", "on the back", "on the front",
    "three digit", "four digit", "three digits", "four digits", "three numbers", "four numbers", "the code", "code",
    "back of the card", "three on the back", "digits on the back",
))
WEAK_CODE = frozenset({"code", "the code", "three digit", "four digit", "three digits", "four digits", "three numbers", "four numbers"})
SECRET_CUES = Phrases(("pin", "pin number", "passcode", "pass code", "password"))
LAST_FOUR = Phrases(("ending in", "ending", "ends in", "ending with", "last four", "last 4", "last four digits", "last four of the card"))
NOT_CARD = Phrases(("account", "phone", "social", "ssn", "number on the account", "zip", "line", "ticket", "order", "confirmation"))
PAN_LENGTHS = {16: 3, 15: 2, 14: 1, 13: 1, 19: 1, 17: 0, 18: 0}  # most cards have 16 digits, Amex 15
UNSURE_LAST_FOUR = "last four uncertain"  # the mask then shows no digits (redact/apply.placeholder)
PROMPT_LINES = 4  # an unanswered prompt for the expiry or the code holds this many lines
STREAM_LINES = 8
PAYMENT_TALK = Phrases(("payment", "make a payment", "pay", "paying", "pay it", "put it on", "charge it", "charge the", "card"))
PAYMENT_LINES = 8  # how far back a payment talked about still explains digits read out without the card's name  # how far after a card prompt the number may still be coming
SLOTS = {"EXPIRY": EXPIRY_CUES, "CVV": CODE_CUES}


@dataclass(frozen=True)
class Slot:
    entity: str  # PAN | CVV | CARD_EXPIRY
    start: int
    end: int
    note: str
    cue: str = ""


def _slot_cues(ctx: Context, line: int) -> list[tuple[int, str, str]]:
    """(piece index, slot, cue phrase) of every slot named in the line, in order."""
    found = []
    for name, phrases in SLOTS.items():
        for first, _, phrase in ctx.find(phrases):
            if ctx.pieces[first].line == line:
                found.append((first, name, phrase))
    for first, _, phrase in ctx.find(PAN_CUES):
        if ctx.pieces[first].line == line:
            found.append((first, "PAN", phrase))
    return sorted(found)


def _is_backchannel(ctx: Context, line: int) -> bool:
    pieces = ctx.line_pieces(line)
    return len(pieces) <= 5 and all(ctx.norms[i] in BACKCHANNEL for i in pieces)


def _money(ctx: Context, group: NumberGroup) -> bool:
    before = ctx.text[max(0, group.start - 1) : group.start]
    after = ctx.norms[group.last + 1] if group.last + 1 < len(ctx.norms) else ""
    return before == "$" or after in ("dollars", "dollar", "bucks", "cents", "percent")


def _expiry_shaped(digits: str) -> bool:
    return 3 <= len(digits) <= 6 and expiry_digits_ok(digits)


class CardReader:
    """Assigns the call's number groups to card slots; build once per Context."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.slots: list[Slot] = []
        self._pan_groups: set[int] = set()  # index into ctx.spoken.groups
        self._pan_digits: list[str] = []
        self._stream_lines: set[int] = set()
        groups = ctx.spoken.groups
        # Number words inside a cue ("last four", "four digit code") are no value.
        in_cue = {i for phrases in (PAN_CUES, EXPIRY_CUES, CODE_CUES, LAST_FOUR) for a, b, _ in ctx.find(phrases) for i in range(a, b + 1)}
        self._groups_by_line: dict[int, list[int]] = {}
        for index, group in enumerate(groups):
            if group.first not in in_cue:
                self._groups_by_line.setdefault(group.line, []).append(index)
        self._streams()
        self._readbacks()
        self._expiry_and_code()
        self._unnamed_code()

    @staticmethod
    def pan_cues() -> Phrases:
        return PAN_CUES

    @classmethod
    def of(cls, ctx: Context) -> "CardReader":
        reader = ctx.memo.get("cards")
        if reader is None:
            reader = ctx.memo["cards"] = cls(ctx)
        return reader  # type: ignore[return-value]

    def of_entity(self, entity: str) -> Iterator[Slot]:
        return (s for s in self.slots if s.entity == entity)

    def claimed(self, start: int, end: int) -> str | None:
        """The slot entity of a span the card reader assigned, if any."""
        for slot in self.slots:
            if slot.start < end and start < slot.end:
                return slot.entity
        return None

    # -- the card number -------------------------------------------------
    def _streams(self) -> None:
        ctx = self.ctx
        done_until = -1
        for line in range(ctx.line_count):
            if line <= done_until:
                continue
            cues = [c for c in _slot_cues(ctx, line) if c[1] == "PAN"]
            if cues:
                cue_piece, cue = cues[0][0], cues[0][2]
                if ctx.cue_before(cue_piece + 1, NOT_CARD, 3, block=False):
                    continue
            elif self._unnamed_card(line):
                # The card's name was not heard ("go ahead with the car number"), but a payment
                # was talked about and this line starts reading digits out: the card, if long enough.
                cue_piece, cue = ctx.line_pieces(line)[0] - 1, ""
            else:
                continue
            stream, last_line = self._stream(line, cue_piece)
            if not cue:
                stream = self._lead_in(line) + stream
            if self._take_card(stream, cue or "digits read out in a payment", named=bool(cue)):
                done_until = last_line

    def _lead_in(self, line: int) -> list[int]:
        """Digits of the reader's short turn just before a card read without its name: the ASR may have
        turned some of its digits into words ("4 fix to 8"), so that turn did not read as digits."""
        ctx, groups = self.ctx, self.ctx.spoken.groups
        k = line - 1
        while k >= 0 and ctx.role(k) != ctx.role(line) and _is_backchannel(ctx, k):
            k -= 1
        if k < 0 or ctx.role(k) != ctx.role(line) or len(ctx.line_pieces(k)) > 8:
            return []
        return [i for i in self._groups_by_line.get(k, []) if groups[i].kind != "ordinal" and not _money(ctx, groups[i])]

    def _unnamed_card(self, line: int) -> bool:
        ctx, groups = self.ctx, self.ctx.spoken.groups
        if not ctx.line_pieces(line) or not self._reads_digits(line, -1):
            return False
        digits = "".join(groups[k].digits for k in self._groups_by_line.get(line, []))
        words = [i for i in ctx.line_pieces(line) if ctx.pieces[i].kind == "word" and ctx.norms[i] not in JOINERS and ctx.norms[i] not in BACKCHANNEL]
        if len(digits) in (7, 10, 11) or len(words) - len([i for i in words if i in self._number_pieces(line)]) > 3:
            return False  # a phone number, or a sentence with digits in it: no card read out
        if any(ctx.pieces[a].line in (line - 1, line) for a, _, _ in ctx.find(NOT_CARD)):
            return False  # "the account number?" / "4471 0093 ...": another number asked for
        earlier = [ctx.pieces[a].line for a, _, _ in ctx.find(PAYMENT_TALK)]
        return any(line - PAYMENT_LINES <= other < line for other in earlier)

    def _stream(self, line: int, cue_piece: int) -> tuple[list[int], int]:
        """The groups of a card number read from ``line`` on, over turns, until another slot or topic."""
        ctx, groups = self.ctx, self.ctx.spoken.groups
        after_cue = [i for i in self._groups_by_line.get(line, []) if groups[i].first > cue_piece]
        # A caller who names the card and reads it ("my Visa, 4111 ...") answers themselves.
        answerer = ctx.role(line) if after_cue else None
        stream: list[int] = []
        last_line = line
        for current in range(line, min(ctx.line_count, line + STREAM_LINES)):
            role = ctx.role(current)
            if current > line and (role == ctx.role(line) if answerer is None else role != answerer):
                if _is_backchannel(ctx, current):
                    continue
                if any(c[1] != "PAN" for c in _slot_cues(ctx, current)):
                    break  # the other party moved on to the expiry or the code
                continue  # a read-back or a remark: matched against the card digits later
            floor = cue_piece if current == line else -1
            if not self._reads_digits(current, floor):
                if current > line and stream:
                    break
                continue
            stop_at = min((c[0] for c in _slot_cues(ctx, current) if c[1] != "PAN" and c[0] > floor), default=None)
            taken = 0
            for index in self._groups_by_line.get(current, []):
                group = groups[index]
                if group.first <= floor:
                    continue
                if stop_at is not None and group.first > stop_at:
                    break
                if group.kind == "ordinal" or _money(ctx, group):
                    continue
                stream.append(index)
                taken += 1
                last_line = current
            if stop_at is not None and stream:
                break
            if current > line and not taken and stream and not _is_backchannel(ctx, current):
                break  # the answering party is talking about something else
            if sum(len(groups[i].digits) for i in stream) >= 19:
                break
        return stream, last_line

    def _number_pieces(self, line: int) -> set[int]:
        groups = self.ctx.spoken.groups
        return {i for k in self._groups_by_line.get(line, []) for i in range(groups[k].first, groups[k].last + 1)}

    def _reads_digits(self, line: int, floor: int) -> bool:
        """A line (after piece ``floor``) that is mostly digits being read out, not a sentence with a number in it."""
        ctx = self.ctx
        pieces = [i for i in ctx.line_pieces(line) if i > floor and ctx.norms[i] not in JOINERS and ctx.norms[i] not in BACKCHANNEL]
        numbers = {i for k in self._groups_by_line.get(line, []) for i in range(ctx.spoken.groups[k].first, ctx.spoken.groups[k].last + 1)}
        digits = [i for i in pieces if i in numbers]
        return bool(digits) and len(digits) * 2 >= len(pieces)

    def _take_card(self, stream: list[int], cue: str, named: bool = True) -> bool:
        groups = self.ctx.spoken.groups
        windows = []
        for i in range(len(stream)):
            digits = ""
            for j in range(i, len(stream)):
                digits += groups[stream[j]].digits
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and len(set(digits)) > 1 and luhn_ok(digits):
                    windows.append((PAN_LENGTHS.get(len(digits), 0), -i, i, j + 1))
        if windows:
            _, _, i, j = max(windows)
            chosen, note = stream[i:j], f"Luhn-valid {sum(len(groups[k].digits) for k in stream[i:j])} digits"
            # Digits read before the window, or one or two after it, are the card too: the ASR
            # split or doubled a digit ("4 628..." / "...226 -4"). Three or more after it may be
            # the expiry or the code, which the slots below read.
            # Only in the lines the window starts and ends in: "One." answering an IVR menu is no card digit.
            lead = [k for k in stream[:i] if groups[k].line == groups[stream[i]].line]
            tail = [k for k in stream[j:] if groups[k].line == groups[stream[j - 1]].line]
            tail = tail if 0 < sum(len(groups[k].digits) for k in tail) < 3 else []
            if lead or tail:
                chosen = lead + chosen + tail
                note += f" and {sum(len(groups[k].digits) for k in lead + tail)} more read with them; {UNSURE_LAST_FOUR}"
        elif sum(len(groups[k].digits) for k in stream) >= (12 if named else 13):
            chosen, note = stream, "card digits after a card prompt, Luhn check failed (ASR error?)"
        else:
            return False
        if not named:
            note += "; read out in a payment, the card's name not heard"
        self._pan_groups.update(chosen)
        self._stream_lines.update(groups[k].line for k in chosen)
        self._pan_digits.append("".join(groups[k].digits for k in chosen))
        self._emit("PAN", chosen, note, cue)
        return True

    def _emit(self, entity: str, indexes: list[int], note: str, cue: str = "") -> None:
        """One slot per line for consecutive groups, covering exactly the words spoken."""
        groups = self.ctx.spoken.groups
        parts: list[list[int]] = []
        for k in indexes:
            if parts and groups[parts[-1][-1]].line == groups[k].line:
                parts[-1].append(k)
            else:
                parts.append([k])
        for n, part in enumerate(parts, 1):
            suffix = f"; part {n} of {len(parts)} (split across turns)" if len(parts) > 1 else ""
            self.slots.append(Slot(entity, groups[part[0]].start, groups[part[-1]].end, note + suffix, cue))

    def _readbacks(self) -> None:
        """Chunks of a found card number said again (read-back, correction), and "ending in 1234"."""
        ctx, groups = self.ctx, self.ctx.spoken.groups
        for line in range(ctx.line_count):
            for indexes in self._values(line):
                digits = "".join(groups[i].digits for i in indexes)
                if len(digits) < 4 or len(digits) > 19:
                    continue
                if any(digits in pan for pan in self._pan_digits):
                    self._pan_groups.update(indexes)
                    self._emit("PAN", indexes, "read back or corrected chunk of the card number")
                    continue
                first = groups[indexes[0]].first
                last = ctx.cue_before(first, LAST_FOUR, 3, block=False)
                card = ctx.cue_in_sentence(first, PAN_CUES) or ctx.cue_before(first, PAN_CUES, 12, block=False)
                if len(digits) == 4 and last and card and not ctx.cue_before(first, NOT_CARD, 4, block=False):
                    self._pan_groups.update(indexes)
                    self._emit("PAN", indexes, "last four of a card", card.phrase)

    # -- expiry and security code -----------------------------------------
    def _expiry_and_code(self) -> None:
        ctx, groups = self.ctx, self.ctx.spoken.groups
        pan_lines = {groups[i].line for i in self._pan_groups}
        card_lines = pan_lines | {ctx.pieces[a].line for a, _, _ in ctx.find(PAN_CUES)}
        pending: list[str] = []
        asker, asked_at = None, -1
        for line in range(ctx.line_count):
            if line - asked_at > PROMPT_LINES:
                pending = []
            named = [(p, s, c) for p, s, c in _slot_cues(ctx, line) if s != "PAN"]
            values = self._values(line)
            in_card_call = any(line - 8 <= other <= line for other in card_lines)
            if named and not values and in_card_call:
                asked = list(dict.fromkeys(s for _, s, _ in named))
                if any(ctx.pieces[a].line == line for a, _, _ in ctx.find(SECRET_CUES)) and all(c in WEAK_CODE for _, s, c in named if s == "CVV"):
                    asked = [s for s in asked if s != "CVV"]  # "say a four-digit number" for a PIN is no card code
                pending, asker, asked_at = asked, ctx.role(line), line
                continue
            # Said right after the card number, in one breath: expiry, then the code.
            after_pan = line in self._stream_lines and ctx.role(line) != asker
            implicit = ["EXPIRY", "CVV"] if after_pan else []
            previous = max((groups[i].last for i in self._pan_groups if groups[i].line == line), default=-1)
            for indexes in values:
                first = groups[indexes[0]].first
                digits = "".join(groups[i].digits for i in indexes)
                if not self._fits("EXPIRY", digits) and self._fits("EXPIRY", self._digits(indexes)):
                    digits = self._digits(indexes)
                inline = [(p, s, c) for p, s, c in named if p < first and first - p <= 6]
                slot, cue = None, ""
                if inline:
                    slot, cue = inline[-1][1], inline[-1][2]
                    near_card = any(line - 10 <= other <= line for other in pan_lines) if cue in WEAK_CODE else in_card_call
                    if not self._fits(slot, digits) or not near_card:
                        continue
                elif pending and ctx.role(line) != asker:
                    slot, cue = next((s for s in pending if self._fits(s, digits)), None), "answer to the prompt"
                elif implicit and previous >= 0 and self._follows(previous, first):
                    slot, cue = next((s for s in implicit if self._fits(s, digits)), None), "after the card number"
                previous = groups[indexes[-1]].last
                if slot is None:
                    continue
                for queue in (pending, implicit):
                    if slot in queue:
                        del queue[: queue.index(slot) + 1]
                self._emit("CARD_EXPIRY" if slot == "EXPIRY" else "CVV", indexes, f"{slot.lower()} slot", cue)
            if named and values and ctx.role(line) == asker:
                pending = []

    def _unnamed_code(self) -> None:
        """The code of a card whose exchange gave no code slot: the card reader's next three- or
        four-digit value, once the expiry is given. On the audio path the ASR garbles the code's
        name ("and the CVV is" heard as other words), and the digits must not stay in clear."""
        ctx, groups = self.ctx, self.ctx.spoken.groups
        for end_line in sorted(self._stream_lines):
            if end_line + 1 in self._stream_lines:
                continue  # not the last line of this reading
            reader = ctx.role(end_line)
            lines = range(end_line, min(ctx.line_count, end_line + PROMPT_LINES + 1))
            slots = [s for s in self.slots if ctx.pieces[ctx.span_pieces(s.start, s.end)[0]].line in lines]
            if any(s.entity == "CVV" for s in slots) or not any(s.entity == "CARD_EXPIRY" for s in slots):
                continue
            expiry_end = max(s.end for s in slots if s.entity == "CARD_EXPIRY")
            for line in lines:
                if ctx.role(line) != reader:
                    continue
                candidates = [ix for ix in self._values(line) if groups[ix[0]].start >= expiry_end and self.claimed(groups[ix[0]].start, groups[ix[-1]].end) is None]
                value = next((ix for ix in candidates if len("".join(groups[i].digits for i in ix)) in (3, 4)), None)
                if value is not None:
                    self._emit("CVV", value, "code slot: the card reader's next 3-4 digit value after the expiry, its name not heard", "after the expiry")
                    break

    def _follows(self, previous: int, first: int) -> bool:
        """Piece ``first`` follows piece ``previous`` with at most a connective between."""
        between = [self.ctx.norms[i] for i in range(previous + 1, first)]
        return previous < first and len(between) <= 2 and all(w in JOINERS or w in ("and", "then", "expires", "exp") for w in between)

    @staticmethod
    def _fits(slot: str, digits: str) -> bool:
        return _expiry_shaped(digits) if slot == "EXPIRY" else len(digits) in (3, 4)

    def _digits(self, indexes: list[int]) -> str:
        """A value's digits; "11 -20 -7" (eleven twenty-seven written group by group) reads as 1127."""
        groups = self.ctx.spoken.groups
        out, k = "", 0
        while k < len(indexes):
            group = groups[indexes[k]]
            nxt = groups[indexes[k + 1]] if k + 1 < len(indexes) else None
            if nxt is not None and group.kind == "numeral" and len(group.digits) == 2 and group.digits[1] == "0" and group.digits[0] != "0" \
                    and len(nxt.digits) == 1 and nxt.digits != "0" and self.ctx.text[group.end : nxt.start].strip() == "-":
                out, k = out + group.digits[0] + nxt.digits, k + 2
                continue
            out, k = out + group.digits, k + 1
        return out

    def _values(self, line: int) -> list[list[int]]:
        """Number values of a line outside the card number: consecutive groups of one run,
        cut at money, ordinals, card digits and any word that is not a joiner."""
        ctx, groups = self.ctx, self.ctx.spoken.groups
        values: list[list[int]] = []
        current: list[int] = []
        for index in self._groups_by_line.get(line, []):
            group = groups[index]
            if index in self._pan_groups or _money(ctx, group) or group.kind == "ordinal":
                if current:
                    values.append(current)
                current = []
                continue
            if current and not self._joined(groups[current[-1]], group):
                values.append(current)
                current = []
            current.append(index)
        if current:
            values.append(current)
        return values

    def _joined(self, left: NumberGroup, right: NumberGroup) -> bool:
        """Two groups of one value: only spaces, hyphens, slashes or fillers between."""
        gap = self.ctx.text[left.end : right.start]
        between = [self.ctx.norms[i] for i in range(left.last + 1, right.first)]
        return not any(c in gap for c in ".,;?!") and all(w in JOINERS for w in between)
