"""Music beds made by the project (numpy synthesis, CC0), and where the bundled files are.

Regenerate the bundled files with `python -m ad2video.render.music`. Everything is rendered
circularly (notes and reverb tails that run past the end wrap to the start), so each file loops
without a seam under `-stream_loop -1`.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ad2video.errors import UserError
from ad2video.fsutil import atomic_path

MUSIC_DIR = Path(__file__).resolve().parent.parent / "assets" / "music"
RATE = 48_000


@dataclass(frozen=True)
class Mood:
    bpm: float
    bars: int
    chords: tuple[tuple[int, ...], ...]  # MIDI notes per bar, cycled
    pluck_steps: int  # arpeggio notes per beat
    pluck_level: float
    pad_level: float
    bass_level: float


MOODS: dict[str, Mood] = {
    # Cmaj7 - Am7 - Fmaj7 - G6, slow pad with a soft eighth-note arpeggio.
    "calm": Mood(bpm=72, bars=20, chords=((48, 55, 64, 71), (45, 52, 60, 67), (41, 48, 57, 64),
                                           (43, 50, 59, 64)),
                 pluck_steps=2, pluck_level=0.16, pad_level=0.22, bass_level=0.0),
    # C - G - Am - F, brighter sixteenth-note plucks over a bass pulse.
    "upbeat": Mood(bpm=112, bars=28, chords=((48, 55, 64, 67), (43, 55, 62, 67), (45, 57, 64, 69),
                                             (41, 53, 60, 65)),
                   pluck_steps=4, pluck_level=0.13, pad_level=0.12, bass_level=0.2),
}


def bundled_music(mood: str = "calm") -> Path:
    """Path of the bundled music bed for a mood."""
    if mood not in MOODS:
        raise UserError(f"unknown music mood {mood!r} (known: {', '.join(MOODS)})")
    path = MUSIC_DIR / f"{mood}.m4a"
    if not path.is_file():
        raise UserError(f"bundled music missing: {path} (run python -m ad2video.render.music)")
    return path


def _hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _add(buf: np.ndarray, start: int, sound: np.ndarray, pan: float) -> None:
    """Mix a mono sound into the stereo loop at `start`, wrapping past the end."""
    idx = (start + np.arange(len(sound))) % len(buf)
    buf[idx, 0] += sound * np.sqrt(0.5 * (1 - pan))
    buf[idx, 1] += sound * np.sqrt(0.5 * (1 + pan))


def _pad(freq: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    tone = np.zeros_like(t)
    for k, amp in ((1, 1.0), (2, 0.35), (3, 0.12)):
        detune = 1 + rng.uniform(-0.002, 0.002)
        tone += amp * np.sin(2 * np.pi * freq * k * detune * t + rng.uniform(0, 2 * np.pi))
    attack, release = 0.35 * seconds, 0.45 * seconds
    env = np.minimum(1.0, np.minimum(t / attack, (seconds - t) / release))
    return tone * np.sin(0.5 * np.pi * np.clip(env, 0, 1)) ** 2


def _pluck(freq: float, seconds: float, bright: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    tone = sum(bright ** (k - 1) / k * np.sin(2 * np.pi * freq * k * t) for k in range(1, 6))
    env = np.exp(-t * 5.0) * np.minimum(1.0, t / 0.004)  # 4 ms attack: no click
    return tone * env


def _reverb(buf: np.ndarray, rng: np.random.Generator, seconds: float = 2.2) -> np.ndarray:
    """Circular convolution with decaying noise: a soft room whose tail wraps around."""
    n = len(buf)
    t = np.arange(int(seconds * RATE)) / RATE
    out = np.empty_like(buf)
    for ch in range(2):
        ir = np.zeros(n)
        ir[: len(t)] = rng.normal(0, 1, len(t)) * np.exp(-t * 3.2)
        ir *= 0.35 / np.sqrt(np.sum(ir**2))
        ir[0] += 1.0
        out[:, ch] = np.fft.irfft(np.fft.rfft(buf[:, ch]) * np.fft.rfft(ir), n)
    return out


def synthesize(mood: str, seed: int = 7, bars: int | None = None) -> np.ndarray:
    """One seamless loop as float32 stereo at 48 kHz, peak at -3 dBFS (`bars` for tests)."""
    spec = MOODS[mood]
    bars = bars or spec.bars
    rng = np.random.default_rng(seed)
    beat = 60.0 / spec.bpm
    bar = 4 * beat
    total = round(bars * bar * RATE)
    buf = np.zeros((total, 2))
    for b in range(bars):
        chord = spec.chords[b % len(spec.chords)]
        start = round(b * bar * RATE)
        for i, note in enumerate(chord):
            _add(buf, start, spec.pad_level * _pad(_hz(note), bar * 1.6, rng), pan=(i - 1.5) / 3)
        if spec.bass_level:
            for k in range(4):
                sound = spec.bass_level * _pluck(_hz(chord[0] - 12), beat, 0.3)
                _add(buf, start + round(k * beat * RATE), sound, pan=0.0)
        tones = [n + 12 for n in chord] + [chord[1] + 24]
        for k in range(4 * spec.pluck_steps):
            note = tones[(k * 2 + b) % len(tones)] if k % 3 else tones[k % len(tones)]
            sound = spec.pluck_level * rng.uniform(0.7, 1.0) * _pluck(_hz(note), 1.5, 0.35)
            at = start + round(k * beat / spec.pluck_steps * RATE)
            _add(buf, at, sound, pan=0.5 if k % 2 else -0.5)
    buf = _reverb(buf, rng)
    buf *= 10 ** (-3 / 20) / np.max(np.abs(buf))
    return buf.astype(np.float32)


def write_music(mood: str, out: Path, ffmpeg: str | Path | None = None) -> Path:
    """Synthesize `mood` and encode it as AAC in .m4a (96 kb/s stereo)."""
    from ad2video.render.ffmpeg import run_ffmpeg

    pcm = synthesize(mood)
    with tempfile.TemporaryDirectory() as work, atomic_path(out) as tmp:
        raw = Path(work) / "music.f32"
        raw.write_bytes(pcm.tobytes())
        run_ffmpeg(["-y", "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", str(raw),
                    "-c:a", "aac", "-b:a", "96k", "-map_metadata", "-1", "-fflags", "+bitexact",
                    "-flags:a", "+bitexact", "-f", "mp4", str(tmp)], ffmpeg)
    out.chmod(0o644)  # a package asset: readable by everyone (temp files start as 0600)
    return out


def main(argv: list[str] | None = None) -> int:
    for mood in argv or list(MOODS):
        path = write_music(mood, MUSIC_DIR / f"{mood}.m4a")
        print(f"{path} {path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
