"""The book's colours stay distinguishable for colour-blind readers.

Each colour is passed through the Machado, Oliveira and Fernandes (2009) simulation of full
dichromacy (protanopia, deuteranopia, tritanopia; severity 1.0, applied in linear sRGB) and
compared in CIELAB with the CIEDE2000 colour difference ΔE00. Checked:

- ``PALETTE`` (the line colours, black included): every pair differs by ΔE00 ≥ 10 under every
  simulation (about 21.9 with normal vision). ΔE00 ≈ 1 is a just-noticeable difference for large
  patches; 10 keeps thin plot lines and legend swatches apart.
- ``LAMBDA_CMAP`` and ``MATRIX_CMAP`` (diverging, centred at 0): under every simulation the colour
  moves away from the centre monotonically on each side (a larger magnitude always looks more
  different from 0), the centre is the lightest colour, and mirror values ±x with |x| at least half
  the largest value differ by ΔE00 ≥ 20 (the sign stays readable).

The colour science below is written out (no extra dependency) and checked against published
reference values.
"""

import itertools

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from lazyrich.plotting import LAMBDA_CMAP, MATRIX_CMAP, PALETTE

# Machado et al. (2009), Table 1, severity 1.0; rows map linear sRGB to simulated linear sRGB.
MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISION = list(MACHADO)

PALETTE_MIN_DE = 10.0
SIGN_MIN_DE = 20.0

# sRGB (D65) to XYZ, IEC 61966-2-1.
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])


def linear(rgb):
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def lab_from_linear(lin):
    t = (lin @ SRGB_TO_XYZ.T) / D65
    d = 6 / 29
    f = np.where(t > d**3, np.cbrt(t), t / (3 * d**2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def simulate(rgb, vision):
    """CIELAB of sRGB colours ``rgb`` (..., 3) as seen with ``vision``."""
    return lab_from_linear(np.clip(linear(rgb) @ MACHADO[vision].T, 0.0, 1.0))


def delta_e2000(lab1, lab2):
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005), broadcasting over leading axes."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, float), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    chroma0 = c1p * c2p == 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma0, 0.0, dh)
    d_l, d_c = L2 - L1, c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(chroma0, h_sum,
                     np.where(np.abs(h1p - h2p) <= 180, h_sum / 2,
                              np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2)))
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2
                   + r_t * (d_c / s_c) * (d_h / s_h))


def test_delta_e2000_matches_published_pairs():
    # Sharma, Wu and Dalal (2005), Table 1, pairs 1, 7 and 17.
    lab1 = np.array([[50.0, 2.6772, -79.7751], [50.0, 0.0, 0.0], [50.0, 2.5, 0.0]])
    lab2 = np.array([[50.0, 0.0, -82.7485], [50.0, -1.0, 2.0], [73.0, 25.0, -18.0]])
    np.testing.assert_allclose(delta_e2000(lab1, lab2), [2.0425, 2.3669, 27.1492], atol=1e-4)


def test_simulation_reference_values():
    # CIELAB of pure sRGB red and white (standard values), and the simulations keep grey grey.
    np.testing.assert_allclose(simulate([1.0, 0.0, 0.0], "normal"), [53.24, 80.09, 67.20], atol=0.02)
    np.testing.assert_allclose(simulate([1.0, 1.0, 1.0], "normal"), [100.0, 0.0, 0.0], atol=0.02)
    for vision in VISION:
        np.testing.assert_allclose(MACHADO[vision].sum(axis=1), 1.0, atol=1e-5)
    # A dichromat confuses red and green far more than a trichromat does.
    red_green = {v: delta_e2000(simulate([0.8, 0.2, 0.1], v), simulate([0.35, 0.5, 0.1], v))
                 for v in ("normal", "deuteranopia")}
    assert red_green["deuteranopia"] < red_green["normal"] / 3


def palette_min_delta_e(vision):
    lab = simulate(np.array([to_rgb(c) for c in PALETTE]), vision)
    pairs = itertools.combinations(range(len(PALETTE)), 2)
    return min((float(delta_e2000(lab[i], lab[j])), PALETTE[i], PALETTE[j]) for i, j in pairs)


@pytest.mark.parametrize("vision", VISION)
def test_palette_pairs_distinguishable(vision):
    de, c1, c2 = palette_min_delta_e(vision)
    assert de >= PALETTE_MIN_DE, (
        f"{vision}: {c1} and {c2} differ by only ΔE00 = {de:.1f} (need {PALETTE_MIN_DE})")


def test_palette_margin_is_measured():
    # The closest pairs, so that a palette change that erodes the margin shows up here.
    got = {v: round(palette_min_delta_e(v)[0], 1) for v in VISION}
    assert got == pytest.approx({"normal": 21.9, "protanopia": 12.4, "deuteranopia": 12.0,
                                 "tritanopia": 10.5}, abs=0.15), got


@pytest.mark.parametrize("cmap_name", sorted({LAMBDA_CMAP, MATRIX_CMAP}))
@pytest.mark.parametrize("vision", VISION)
def test_diverging_map_readable(cmap_name, vision):
    cmap = matplotlib.colormaps[cmap_name]
    n = cmap.N
    lab = simulate(cmap(np.linspace(0, 1, n))[:, :3], vision)
    lower, upper = lab[: n // 2][::-1], lab[n // 2:]  # from the centre outwards
    for side, centre in ((lower, lab[n // 2 - 1]), (upper, lab[n // 2])):
        from_centre = delta_e2000(side, centre[None])
        assert np.all(np.diff(from_centre) > 0), f"{cmap_name}/{vision}: not monotone from 0"
    assert np.argmax(lab[:, 0]) in (n // 2 - 1, n // 2), f"{cmap_name}/{vision}: 0 not lightest"
    quarter = n // 4  # positions 0 .. n/4 hold the values with |x| >= half the largest
    mirror = delta_e2000(lab[: n // 2 - quarter + 1], lab[::-1][: n // 2 - quarter + 1])
    assert mirror.min() >= SIGN_MIN_DE, (
        f"{cmap_name}/{vision}: ±x differ by only ΔE00 = {mirror.min():.1f}")
