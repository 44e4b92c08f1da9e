from callvault.models import Turn, Word
from callvault.transcribe.align import assign_roles, infer_agent, words_to_turns


def w(start, text, speaker, length=0.3):
    return Word(start, start + length, text, 0.9, speaker)


def test_turns_split_on_speaker_change_and_pause():
    words = [w(0.0, "hello", "S0"), w(0.4, "there", "S0"), w(1.0, "hi", "S1"), w(1.5, "again", "S0"), w(5.0, "later", "S0")]
    turns = words_to_turns(words, {"S0": "agent", "S1": "customer"}, max_pause=1.5)
    assert [(t.speaker, t.text) for t in turns] == [("S0", "hello there"), ("S1", "hi"), ("S0", "again"), ("S0", "later")]
    assert turns[1].role == "customer"


def test_simultaneous_speech_keeps_two_readable_turns():
    a = [w(0.0 + i * 0.35, f"a{i}", "S0") for i in range(6)]
    b = [w(0.1 + i * 0.35, f"b{i}", "S1") for i in range(4)]
    turns = words_to_turns(a + b)
    assert [t.text for t in turns] == ["a0 a1 a2 a3 a4 a5", "b0 b1 b2 b3"]


def _turns(agent_text, customer_text):
    return [
        Turn("S1", "unknown", tuple(w(i * 0.4, x, "S1") for i, x in enumerate(customer_text.split()))),
        Turn("S0", "unknown", tuple(w(5 + i * 0.4, x, "S0") for i, x in enumerate(agent_text.split()))),
    ]


def test_agent_found_by_greeting():
    turns = _turns("thank you for calling acme how can I help you", "hi I'm calling about my bill")
    guess = infer_agent(turns, ["S0", "S1"])
    assert guess.agent == "S0" and guess.confidence > 0.5 and "thank" in guess.reason


def test_no_cues_means_no_guess_and_stereo_default():
    turns = _turns("okay sure", "right okay")
    assert infer_agent(turns, ["S0", "S1"]).agent is None
    speakers = assign_roles(turns, {"S0": 0, "S1": 1}, {})
    assert [(s.id, s.role) for s in speakers] == [("S0", "agent"), ("S1", "customer")]
    assert speakers[0].role_confidence == 0.5 and "default" in speakers[0].role_reason


def test_metadata_and_flag_beat_heuristics():
    turns = _turns("thank you for calling", "hello")
    by_meta = assign_roles(turns, {"S0": 0, "S1": 1}, {0: "customer", 1: "agent"})
    assert [s.role for s in by_meta] == ["customer", "agent"]
    by_flag = assign_roles(turns, {"S0": 0, "S1": 1}, {0: "customer", 1: "agent"}, agent_channel=0)
    assert [s.role for s in by_flag] == ["agent", "customer"]
    mono = assign_roles(turns, {"S0": None}, {})
    assert mono[0].role == "unknown"
