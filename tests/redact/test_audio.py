"""Audio redaction over float32 channel arrays, and the PCI scrub list."""

import numpy as np
import pytest

from callvault.models import ConfigError, Explanation, Finding, TimeSpan
from callvault.redact.audio import pci_scrub_spans, redact_audio
from callvault.redact.policy import RedactionPolicy

SR = 8000


def noise(seconds=4.0, seed=0):
    return np.random.default_rng(seed).uniform(-0.5, 0.5, int(seconds * SR)).astype(np.float32)


def finding(entity, start, end):
    return Finding("PCI", entity, 0, 1, start, end, "S1", "customer", 0.9, Explanation("test"))


def test_silence_replaces_padded_span_on_every_channel_only():
    channels = [noise(seed=1), noise(seed=2)]
    out = redact_audio(channels, SR, [TimeSpan(1.0, 1.5)], mode="silence", margin=0.25)
    assert len(out) == 2 and all(o.dtype == np.float32 and o.shape == c.shape for o, c in zip(out, channels))
    for o, c in zip(out, channels):
        assert not o[int(0.75 * SR) : int(1.75 * SR)].any()
        assert np.array_equal(o[: int(0.74 * SR)], c[: int(0.74 * SR)])
        assert np.array_equal(o[int(1.76 * SR) :], c[int(1.76 * SR) :])
    assert channels[0][int(1.2 * SR)] != 0  # inputs untouched


def test_tone_is_a_quiet_sine_and_margin_is_clipped_at_the_ends():
    out = redact_audio([noise()], SR, [TimeSpan(0.0, 0.1), TimeSpan(3.9, 4.0)], mode="tone", margin=0.5)[0]
    segment = out[: int(0.6 * SR)]
    assert 0.09 < np.abs(segment).max() <= 0.1
    spectrum = np.abs(np.fft.rfft(segment))
    assert abs(np.argmax(spectrum) * SR / len(segment) - 1000) < 5
    assert len(out) == 4 * SR


def test_bad_mode_is_a_config_error():
    with pytest.raises(ConfigError):
        redact_audio([noise()], SR, [], mode="bleep")


def test_pci_scrub_takes_cvv_and_secrets_not_pan():
    findings = [finding("PAN", 1.0, 3.0), finding("CVV", 4.0, 4.5), finding("AUTH_SECRET", 4.6, 5.0)]
    assert pci_scrub_spans(findings) == [TimeSpan(4.0, 4.5), TimeSpan(4.6, 5.0)]
    assert pci_scrub_spans(findings, RedactionPolicy(pci_scrub=False)) == []
