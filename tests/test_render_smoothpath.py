"""The smoothest path through per-frame offset candidates (render/smoothpath.py)."""

from __future__ import annotations

import numpy as np

from ad2video.render.smoothpath import BOUND, smoothest


def _errors(path: list[int], cands: list[np.ndarray]) -> np.ndarray:
    return np.array([c[k] for c, k in zip(cands, path, strict=True)])


def test_path_follows_a_steady_offset_instead_of_jolting_to_the_nearest():
    # every frame offers -0.1 and +0.1; every third frame also offers 0.0 (the nearest)
    cands = [np.array([0.1, -0.1] + ([0.0] if n % 3 == 0 else [0.2])) for n in range(30)]
    path = smoothest(cands)
    nearest = [int(np.argmin(np.abs(c))) for c in cands]
    assert np.diff(_errors(nearest, cands), 2).std() > 0.05
    assert np.abs(np.diff(_errors(path, cands), 2)).max() < 1e-12  # no bend at all


def test_path_stays_within_bound_and_falls_back_to_the_nearest():
    rng = np.random.default_rng(3)
    cands = [rng.uniform(-1, 1, 64) for _ in range(40)]
    cands[7] = np.array([0.9, -0.5, 0.8])  # nothing within BOUND: the nearest is taken
    path = smoothest(cands)
    errors = _errors(path, cands)
    assert path[7] == 1
    assert all(abs(e) <= BOUND for i, e in enumerate(errors) if i != 7)
    assert smoothest(cands) == path  # deterministic


def test_short_clips_take_the_nearest():
    cands = [np.array([0.3, -0.05]), np.array([0.01, 0.2])]
    assert smoothest(cands) == [1, 0] and smoothest(cands[:1]) == [1] and smoothest([]) == []
