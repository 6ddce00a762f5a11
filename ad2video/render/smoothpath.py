"""Which offset candidate each frame of a move uses: the smoothest path, not the nearest point.

Per frame, the OFFSETS candidates of render/subpixel.py put the window's centre at as many
sub-pixel errors. Taking the nearest one frame by frame leaves jolts where the candidates bunch
up (a zoom's scale ratio passing 6/5 or 7/6): one frame lands 0.17 px off, the next on target.
The eye, like the smoothness figure, sees acceleration, not a steady offset of a fraction of a
pixel. So the path is chosen as a whole: among the candidates within BOUND output pixels of the
ideal place, the sequence with the least sum of squared second differences of the error, plus a
small PULL towards the ideal place, by dynamic programming over (previous, current) pairs.
A zoom's scaled size takes its path the same way (render/subpixel.py, SCALE_BOUND). Only
element-wise float operations, min and argmin are used: the same picks on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BOUND = 0.25  # output px: candidates further from the ideal centre are not considered
PULL = 0.01  # weight of the squared error against the squared second difference


def smoothest(errors: Sequence[np.ndarray], bound: float = BOUND) -> list[int]:
    """Per frame, the index of the candidate (errors[frame][index], output px) on the path
    (only candidates within `bound` of the ideal, or the nearest one where none is)."""
    if len(errors) < 3:
        return [int(np.argmin(np.abs(e))) for e in errors]
    keep = [_near(e, bound) for e in errors]
    vals = [e[k] for e, k in zip(errors, keep, strict=True)]
    cost = PULL * (vals[0][:, None] ** 2 + vals[1][None, :] ** 2)  # (previous, current)
    back = []
    for i in range(2, len(vals)):
        bend = vals[i][None, None, :] - 2 * vals[i - 1][None, :, None] + vals[i - 2][:, None, None]
        total = cost[:, :, None] + bend * bend  # (before, previous, current)
        best = total.argmin(axis=0)
        back.append(best)
        cost = np.take_along_axis(total, best[None], axis=0)[0] + PULL * vals[i][None, :] ** 2
    last, current = np.unravel_index(int(np.argmin(cost)), cost.shape)
    path = [int(current), int(last)]  # backwards from the last frame
    for best in reversed(back):
        path.append(int(best[path[-1], path[-2]]))
    path.reverse()
    return [int(k[j]) for k, j in zip(keep, path, strict=True)]


def _near(errors: np.ndarray, bound: float) -> np.ndarray:
    near = np.flatnonzero(np.abs(errors) <= bound)
    return near if near.size else np.array([int(np.argmin(np.abs(errors)))])
