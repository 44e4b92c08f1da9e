"""Embed the consent-event classifier's examples into package data (data/event_examples.npz).

    PYTHONPATH=src .venv/bin/python tools/build_event_examples.py [--check]

Run after editing src/callvault/compliance/data/event_examples.txt; commit both.
``--check`` also prints each example's leave-one-out label (how well the
examples separate), without writing anything.
"""

from __future__ import annotations

import argparse
import io
from importlib import resources

import numpy as np

from callvault.compliance.embed import SentenceEncoder
from callvault.compliance.model import EXAMPLES_FILE, OTHER, VECTORS_FILE, EventModel, digest, examples_text, parse_examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = examples_text()
    examples = parse_examples(text)
    vectors = SentenceEncoder().encode([e.text for e in examples])
    if args.check:
        wrong = 0
        for i, e in enumerate(examples):
            keep = [j for j in range(len(examples)) if j != i]
            model = EventModel(None, [examples[j] for j in keep], vectors[keep])
            got = model.judge(e.side, vectors[i : i + 1])[0]
            if got.label != e.label:
                wrong += 1
                print(f"{e.side:<9}{e.label:<20}-> {got.label:<20}{got.score:.2f} {e.text!r} ~ {got.example!r}")
        print(f"leave-one-out: {len(examples) - wrong}/{len(examples)} examples keep their label ({OTHER} counts as a miss)")
        return
    out = resources.files("callvault.compliance").joinpath("data", VECTORS_FILE)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, vectors=vectors.astype(np.float16), digest=np.array(digest(text)))
    with open(str(out), "wb") as handle:
        handle.write(buffer.getvalue())
    print(f"{len(examples)} examples from {EXAMPLES_FILE} -> {out} ({len(buffer.getvalue())} bytes)")


if __name__ == "__main__":
    main()
