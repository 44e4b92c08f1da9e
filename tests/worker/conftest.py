"""Short synthesised calls for batch tests: distinct content, so distinct recording ids."""

import pytest

from helpers import need_tool

LINES = [
    ("Thank you for calling Acme Wireless, this call may be recorded. How can I help?", "I have a question about my data plan."),
    ("Thanks for calling, this is Sam. How may I help you today?", "I want to change my address please."),
    ("Thank you for calling support. This call is recorded for quality.", "My phone has no signal since Monday."),
    ("Hello, thank you for calling. How can I help you?", "Please cancel the international add on."),
    ("Thank you for calling billing. How may I help?", "Why is my bill higher this month?"),
    ("Good morning and thank you for calling. How can I help?", "I lost my phone yesterday evening."),
]


@pytest.fixture(scope="session")
def short_calls(tmp_path_factory):
    """Six 8-second stereo calls, agent then customer."""
    need_tool("espeak-ng")
    from callvault.synth import Line, synthesise_call

    folder = tmp_path_factory.mktemp("calls")
    paths = []
    for index, (agent, customer) in enumerate(LINES):
        path = folder / f"call-{index}.wav"
        synthesise_call([Line("agent", 0.3, agent), Line("customer", 5.5, customer)], path)
        paths.append(path)
    return paths
